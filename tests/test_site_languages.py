import datetime
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories.consultations import EventFactory
from tests.factories.objectives import ObjectiveFactory
from tests.factories.recommendations import RecommendationFactory

pytestmark = pytest.mark.django_db


def test_the_language_is_in_the_address_and_the_page_says_so(client):
    for code in ("en", "es", "pt", "fr"):
        prefix = "" if code == "en" else f"/{code}"
        assert f'<html lang="{code}">' in client.get(f"{prefix}/").text


def test_interface_strings_are_translated(client):
    assert "Los 23 objetivos" in client.get("/es/").text
    assert "Os 23 objetivos" in client.get("/pt/").text
    assert "Les 23 objectifs" in client.get("/fr/").text


def test_the_switcher_keeps_the_page_and_its_filters(client):
    ObjectiveFactory(number=4)

    text = client.get("/objectives/4/", {"event": "LAC2021", "status": "in_progress"}).text

    assert 'href="/es/objectives/4/?event=LAC2021&amp;status=in_progress"' in text
    assert 'href="/fr/objectives/4/?event=LAC2021&amp;status=in_progress"' in text


def test_the_switcher_marks_the_current_language(client):
    text = client.get("/pt/").text

    assert 'hreflang="pt" lang="pt" aria-current="true"' in text


def test_objective_titles_follow_the_language(client):
    ObjectiveFactory(number=4, short_title_es="Identidad jurídica", title_es="Título en español")

    text = client.get("/es/objectives/4/").text

    assert "Identidad jurídica" in text
    assert "Título en español" in text


def test_an_objective_without_a_translation_falls_back_to_english(client):
    ObjectiveFactory(number=4, short_title_en="Legal identity", short_title_fr="")

    assert "Legal identity" in client.get("/fr/objectives/4/").text


def test_dates_are_written_the_way_each_language_writes_them(client):
    event = EventFactory(code="LAC2021", start_date=datetime.date(2021, 4, 13), end_date=None)
    RecommendationFactory(published=True, event=event)

    assert "April 13, 2021" in client.get("/events/LAC2021/").text
    assert "13 de abril de 2021" in client.get("/es/events/LAC2021/").text
    assert "13 de Abril de 2021" in client.get("/pt/events/LAC2021/").text
    assert "13 avril 2021" in client.get("/fr/events/LAC2021/").text


def test_choices_from_the_models_are_translated(client):
    RecommendationFactory(published=True, reference="LAC2021-T1-01")

    assert "Sin información todavía" in client.get("/es/recommendations/LAC2021-T1-01/").text


def test_a_missing_page_is_a_friendly_404_in_the_language(client):
    response = client.get("/es/recommendations/NOPE-1/")

    assert response.status_code == 404
    assert "Página no encontrada" in response.text


def untranslated(po_file: Path) -> list[str]:
    """The msgids of a .po file that have an empty or fuzzy translation."""
    missing, msgid, strings, fuzzy, part = [], None, [], False, None

    def close():
        if msgid and (fuzzy or not all(strings)):
            missing.append(msgid)

    for line in po_file.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            close()
            msgid, strings, fuzzy, part = None, [], False, None
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            msgid, part = line[7:-1], "id"
        elif line.startswith("msgid_plural "):
            part = "plural"
        elif line.startswith("msgstr"):
            strings.append(line.split(" ", 1)[1][1:-1])
            part = "str"
        elif line.startswith('"') and part == "id":
            msgid += line[1:-1]
        elif line.startswith('"') and part == "str":
            strings[-1] += line[1:-1]
    return missing


@pytest.mark.parametrize("code", ["es", "pt", "fr"])
def test_every_interface_string_has_a_translation(code):
    po_file = Path(settings.BASE_DIR) / "locale" / code / "LC_MESSAGES" / "django.po"

    assert untranslated(po_file) == []
