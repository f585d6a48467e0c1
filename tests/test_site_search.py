import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultations.models import Session
from tests.factories.consultations import EventFactory, ParticipationFactory, SessionFactory
from tests.factories.recommendations import RecommendationFactory
from tests.factories.site import chat_commenter, many_dressed_recommendations

pytestmark = pytest.mark.django_db

URL = "/search/"


def references(response) -> list[str]:
    return [r.reference for r in response.context["recommendations"]]


def test_finds_published_recommendations_best_match_first(client):
    scattered = RecommendationFactory(
        published=True, text="Access to justice; health workers should be trained."
    )
    phrase = RecommendationFactory(published=True, text="Guarantee access to health for all.")
    RecommendationFactory(text="Guarantee access to health in a draft.")

    response = client.get(URL, {"q": "access to health"})

    assert references(response) == [phrase.reference, scattered.reference]


def test_without_words_it_lists_every_published_recommendation(client):
    RecommendationFactory.create_batch(3, published=True)
    RecommendationFactory()

    assert len(references(client.get(URL))) == 3


def test_takes_the_same_filters_as_the_objective_page(client):
    lac = EventFactory(code="LAC2021")
    match = RecommendationFactory(published=True, event=lac, text="End child detention.")
    RecommendationFactory(published=True, text="End child detention.")

    response = client.get(URL, {"q": "detention", "event": "LAC2021"})

    assert references(response) == [match.reference]


def test_finds_session_notes_and_summaries_ranked(client):
    titled = SessionFactory(title="Regularisation now")
    summarised = SessionFactory(title="Other", rapporteur_summary="Talk of regularisation.")
    SessionFactory(title="Unrelated")

    response = client.get(URL, {"q": "regularisation"})

    assert list(response.context["sessions"]) == [titled, summarised]


def test_finds_what_speakers_said_but_never_chat_comments(client):
    spoken = ParticipationFactory(notes="Regularisation must come first.")
    chat_commenter(spoken.session, notes="Regularisation in the chat.")

    response = client.get(URL, {"q": "regularisation"})

    assert list(response.context["notes"]) == [spoken]
    assert "Regularisation in the chat." not in response.text


def test_session_results_follow_the_event_and_format_filters(client):
    lac = EventFactory(code="LAC2021")
    match = SessionFactory(event=lac, title="Regularisation", format=Session.Format.PANEL)
    SessionFactory(event=lac, title="Regularisation", format=Session.Format.PLENARY)
    SessionFactory(title="Regularisation", format=Session.Format.PANEL)

    response = client.get(URL, {"q": "regularisation", "event": "LAC2021", "format": "panel"})

    assert list(response.context["sessions"]) == [match]


def test_overlong_or_odd_input_does_not_break_the_page(client):
    response = client.get(URL, {"q": "x" * 500, "objective": "99"})

    assert response.status_code == 200
    assert "were not understood and were left out" in response.text


@pytest.mark.parametrize("size", [1, 10])
def test_queries_do_not_grow_with_the_results(client, django_assert_max_num_queries, size):
    many_dressed_recommendations(size)

    with django_assert_max_num_queries(16):
        response = client.get(URL, {"q": "regularisation"})

    assert len(references(response)) == size
    assert len(response.context["notes"]) == size


def _queries(client, query) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        assert client.get(URL, query).status_code == 200
    return [q["sql"] for q in context.captured_queries]


def test_searching_the_same_words_again_ranks_no_session_or_note_again(client):
    ParticipationFactory(notes="Regularisation must come first.")
    SessionFactory(title="Regularisation now")
    client.get(URL, {"q": "regularisation"})

    again = _queries(client, {"q": "regularisation"})

    assert not any(sql.startswith('SELECT "consultations_participation"."id"') for sql in again)
    assert not any(sql.startswith('SELECT "consultations_session"."id"') for sql in again)
    assert len(client.get(URL, {"q": "regularisation"}).context["notes"]) == 1


def test_a_new_note_or_session_shows_in_the_search_at_once(client):
    first = ParticipationFactory(notes="Regularisation must come first.")
    assert list(client.get(URL, {"q": "regularisation"}).context["notes"]) == [first]

    second = ParticipationFactory(notes="Regularisation, and then regularisation again.")
    session = SessionFactory(title="Regularisation now")
    response = client.get(URL, {"q": "regularisation"})

    assert set(response.context["notes"]) == {first, second}
    assert list(response.context["sessions"]) == [session]


def test_other_words_and_filters_are_searched_apart(client):
    lac = EventFactory(code="LAC2021")
    match = SessionFactory(event=lac, title="Regularisation")
    other = SessionFactory(title="Regularisation")
    SessionFactory(title="Detention")
    client.get(URL, {"q": "regularisation"})

    assert list(
        client.get(URL, {"q": "regularisation", "event": "LAC2021"}).context["sessions"]
    ) == [match]
    assert {s.title for s in client.get(URL, {"q": "detention"}).context["sessions"]} == {
        "Detention"
    }
    assert set(client.get(URL, {"q": "regularisation"}).context["sessions"]) == {match, other}
