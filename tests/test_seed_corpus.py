"""The seed corpus loads on every database and says what the source documents say."""

import re
import unicodedata
from collections import Counter

import pytest
from django.conf import settings
from django.db import models

from consultations.models import Event, Participation, Person, Session
from objectives.models import GuidingPrinciple, Objective
from recommendations.models import Recommendation
from recommendations.seed import EMAIL, load_seed

pytestmark = pytest.mark.django_db

SEEDS = settings.SEED_DOCUMENTS_DIR
SOURCES = {
    "OAS2017": ["004_077a9d78ab09ac6c.txt"],
    "LAC2021": ["000_07743d876124d689.txt", "001_a32e255b6ba4cba4.txt"],
    "WEB2022": ["002_6ecf5860ceded220.txt"],
    "CHAMP2023": ["003_95df805f1d4da0aa.txt"],
}
# The objectives each document names for its sessions.
SESSION_OBJECTIVES = {
    ("WEB2022", "RT2"): {4, 8, 9, 10, 11, 13, 21},
    ("CHAMP2023", "1"): {7, 8, 14, 15},
    ("CHAMP2023", "2a"): {9, 10, 11},
    ("CHAMP2023", "2b"): {4, 5, 12},
    ("CHAMP2023", "3"): {6, 16, 19, 20},
    ("CHAMP2023", "4a"): {1},
    ("CHAMP2023", "4b"): {21},
}


def _flat(text: str) -> str:
    return " ".join(text.split())


def _source_text(code: str) -> str:
    return _flat(" ".join((SEEDS / name).read_text(encoding="utf-8") for name in SOURCES[code]))


def _oas_bullets() -> dict[str, list[str]]:
    """The bulleted recommendations of the 2017 report, by panel."""
    bullets, panel = {}, None
    for line in (SEEDS / SOURCES["OAS2017"][0]).read_text(encoding="utf-8").splitlines():
        heading = re.match(r"PANEL (\d)", line)
        if heading:
            panel = f"P{heading.group(1)}"
        elif panel and line.startswith("- "):
            bullets.setdefault(panel, []).append(_flat(line[2:]))
    return bullets


@pytest.fixture
def corpus(seed_corpus):
    return seed_corpus


def test_seed_corpus_has_the_compact_and_the_four_events(corpus):
    assert list(Objective.objects.values_list("number", flat=True)) == list(range(1, 24))
    assert list(GuidingPrinciple.objects.values_list("number", flat=True)) == list(range(1, 11))
    assert set(Event.objects.values_list("code", flat=True)) == set(SOURCES)
    for objective in Objective.objects.all():
        for field in ("title", "short_title", "summary"):
            for language in ("en", "es", "pt", "fr"):
                assert getattr(objective, f"{field}_{language}"), (
                    objective.number,
                    field,
                    language,
                )


def test_each_event_has_the_sessions_of_its_document(corpus):
    sessions = {
        code: set(Session.objects.filter(event__code=code).values_list("code", flat=True))
        for code in SOURCES
    }
    assert {f"P{n}" for n in range(1, 7)} <= sessions["OAS2017"]
    assert {f"T{n}" for n in range(1, 6)} <= sessions["LAC2021"]
    assert "RT2" in sessions["WEB2022"]
    assert {"1", "2a", "2b", "3", "4a", "4b"} <= sessions["CHAMP2023"]


def test_sessions_discuss_the_objectives_their_documents_name(corpus):
    for (event, code), numbers in SESSION_OBJECTIVES.items():
        session = Session.objects.get(event__code=event, code=code)
        assert set(session.objectives.values_list("number", flat=True)) == numbers, (event, code)


def test_every_bullet_of_the_2017_report_is_one_recommendation_in_order(corpus):
    for panel, bullets in _oas_bullets().items():
        texts = list(
            Recommendation.objects.filter(event__code="OAS2017", session__code=panel)
            .order_by("reference")
            .values_list("text", flat=True)
        )
        assert [_flat(text) for text in texts] == bullets, panel
    assert sum(map(len, _oas_bullets().values())) == 46


def test_recommendation_texts_are_quoted_from_their_sources(corpus):
    sources = {code: _source_text(code) for code in SOURCES}
    for recommendation in Recommendation.objects.select_related("event"):
        text = _flat(recommendation.text)
        assert text in sources[recommendation.event.code], recommendation.reference


def test_every_recommendation_is_published_with_one_primary_objective_and_a_source(corpus):
    recommendations = Recommendation.objects.annotate(
        tags=models.Count("objective_links"),
        primaries=models.Count(
            "objective_links", filter=models.Q(objective_links__is_primary=True)
        ),
    )
    assert recommendations.filter(event__code="LAC2021").count() > 30
    for recommendation in recommendations:
        assert recommendation.state == Recommendation.State.PUBLISHED
        assert recommendation.tags >= 1 and recommendation.primaries == 1, recommendation.reference
        assert recommendation.event_id and recommendation.source_location, recommendation.reference
        if recommendation.session_id:
            assert recommendation.session.event_id == recommendation.event_id


def test_people_are_deduplicated(corpus):
    def key(name):
        plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
        return " ".join(plain.replace("-", " ").split())

    duplicates = [
        name
        for name, n in Counter(map(key, Person.objects.values_list("name", flat=True))).items()
        if n > 1
    ]
    assert duplicates == []


def test_no_email_address_is_in_a_public_field(corpus):
    public_texts = [
        *Person.objects.values_list("name", "affiliation"),
        *Participation.objects.values_list("notes"),
        *Session.objects.values_list("title", "description", "rapporteur_summary"),
        *Event.objects.values_list("title", "description"),
        *Recommendation.objects.values_list("short_title", "text", "source_location"),
    ]
    leaks = [text for row in public_texts for text in row if text and EMAIL.search(text)]
    assert leaks == []


def test_loading_the_seed_corpus_again_changes_nothing(corpus):
    before = Recommendation.objects.values_list("reference", "updated_at").order_by("reference")
    snapshot = list(before)

    report = load_seed()

    assert not report.changed
    assert list(before) == snapshot
