import datetime

import pytest

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
