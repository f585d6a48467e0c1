"""One search for the public site and the API: stemmed, accent-blind, ranked, published only.

These run on SQLite and on PostgreSQL (CI): the same behaviour from either backend.
"""

import pytest
from django.db import connection

from consultations.models import Participation, Session
from gcm_tracker.search import NAME_SIMILARITY, highlight
from recommendations.models import Recommendation
from tests.factories.consultations import (
    OrganizationFactory,
    ParticipationFactory,
    PersonFactory,
    SessionFactory,
)
from tests.factories.recommendations import RecommendationFactory

pytestmark = pytest.mark.django_db


def _recommendation(text, **kwargs):
    """A recommendation whose short title says no more than its text."""
    return RecommendationFactory(text=text, short_title=text[:40], **kwargs)


def _found(text, queryset=None):
    queryset = queryset if queryset is not None else Recommendation.objects.published()
    return list(queryset.search(text).order_by("-rank", "reference"))


def test_english_words_are_found_by_their_stem():
    hit = _recommendation("Open regularisation processes for migrants.", published=True)
    _recommendation("Fund consular networks.", published=True)

    assert _found("regularisations migrant") == [hit]


def test_spanish_text_is_found_without_accents_and_by_stem():
    hit = _recommendation(
        "Poner fin a la detención de niños en la migración.", published=True, language="es"
    )

    assert _found("detenciones ninos") == [hit]
    assert _found("migracion") == [hit]


def test_the_exact_phrase_ranks_first():
    scattered = RecommendationFactory(
        published=True,
        reference="LAC2021-T1-01",
        text="Health workers need access, and data on migrants should cover health.",
    )
    phrase = RecommendationFactory(
        published=True, reference="LAC2021-T1-02", text="Guarantee access to health for migrants."
    )

    assert _found("access to health") == [phrase, scattered]


def test_a_misspelt_speaker_name_still_finds_their_recommendations():
    speaker = PersonFactory(name="Alma Maquitico")
    ParticipationFactory(person=speaker, role=Participation.Role.STATEMENT)
    hit = _recommendation("Hear those directly affected.", published=True, speaker=speaker)
    _recommendation("Fund consular networks.", published=True)

    assert _found("Maquitco") == [hit]


def test_an_organizations_misspelt_name_or_acronym_finds_what_it_asked():
    organization = OrganizationFactory(name="Scalabrini Migration Network", acronym="SIMN")
    hit = _recommendation(
        "Hear those directly affected.", published=True, organization=organization
    )
    _recommendation("Fund consular networks.", published=True)

    assert _found("Scalabrni") == [hit]
    assert _found("SIMN") == [hit]


def test_names_are_looked_up_in_trigram_indexes_where_the_database_has_them():
    sql = str(Recommendation.objects.published().search("Maquitco").query)
    if connection.vendor != "postgresql":
        # SQLite has no trigram index: names are compared one by one, as in a small corpus.
        assert "%>" not in sql
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW pg_trgm.word_similarity_threshold")
        threshold = float(cursor.fetchone()[0])

    assert threshold < NAME_SIMILARITY
    assert "%>" in sql


def test_a_chat_commenters_name_finds_nothing():
    commenter = PersonFactory(name="Hortensia Quispe")
    ParticipationFactory(person=commenter, role=Participation.Role.CHAT_COMMENTER)
    _recommendation("Count returnees.", published=True, speaker=commenter)

    assert _found("Hortensia Quispe") == []


def test_drafts_are_never_found_by_the_public():
    _recommendation("Abolish detention of children.")
    published = _recommendation("Abolish detention of children now.", published=True)

    assert _found("detention children") == [published]


def test_translations_are_searched_too():
    recommendation = _recommendation("Protect migrant workers.", published=True)
    recommendation.translations.create(language="es", text="Proteger a los trabajadores migrantes.")

    assert _found("trabajadores") == [recommendation]


def test_session_summaries_and_speakers_notes_are_searched():
    session = SessionFactory(
        rapporteur_summary="The table discussed consular protection at length."
    )
    SessionFactory(rapporteur_summary="Remittances were discussed.")
    notes = ParticipationFactory(notes="Consular networks must protect nationals abroad.")
    ParticipationFactory(
        notes="Consular help for everyone.", role=Participation.Role.CHAT_COMMENTER
    )

    assert list(Session.objects.search("consular")) == [session]
    assert list(Participation.objects.search("consular protect")) == [notes]


def test_snippets_mark_the_matching_words_and_escape_the_text():
    text = 'States <b>must</b> end the "detención" of migrant children & teenagers.'

    snippet = highlight(text, "detencion children")

    assert "<mark>detención</mark>" in snippet
    assert "<mark>children</mark>" in snippet
    assert "&lt;b&gt;must&lt;/b&gt;" in snippet
    assert "&amp; teenagers" in snippet


def test_long_texts_are_cut_around_the_first_match():
    text = " ".join(["filler"] * 100) + " remittances cost too much " + " ".join(["tail"] * 100)

    snippet = highlight(text, "remittance")

    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert "<mark>remittances</mark>" in snippet
    assert len(snippet) < 300


def test_an_empty_query_finds_nothing():
    RecommendationFactory(published=True)
    assert _found("  ") == []
