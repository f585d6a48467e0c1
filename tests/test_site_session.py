import pytest

from tests.factories.consultations import EventFactory, ParticipationFactory, SessionFactory
from tests.factories.objectives import ObjectiveFactory
from tests.factories.recommendations import RecommendationFactory
from tests.factories.site import (
    chat_commenter,
    dressed_recommendation,
    many_dressed_recommendations,
)

pytestmark = pytest.mark.django_db

URL = "/events/LAC2021/sessions/T1/"


@pytest.fixture
def session(db):
    return SessionFactory(
        event=EventFactory(code="LAC2021", language="es"),
        code="T1",
        title="Regularisation round table",
        rapporteur_summary="Participants agreed regularisation comes first.",
    )


def test_shows_the_session_its_questions_summary_and_objectives(client, session):
    session.guiding_questions.create(order=1, text="What works for regularisation?")
    session.objectives.add(ObjectiveFactory(number=7))

    response = client.get(URL)

    text = response.text
    assert response.status_code == 200
    assert "Regularisation round table" in text
    assert "What works for regularisation?" in text
    assert "Participants agreed regularisation comes first." in text
    assert 'href="/objectives/7/"' in text


def test_shows_who_spoke_with_their_notes_but_never_chat_commenters(client, session):
    ParticipationFactory(session=session, person__name="Ana Speaker", notes="Papers for all.")
    chat_commenter(session, person__name="Chatty Commenter", notes="A private aside.")

    text = client.get(URL).text

    assert "Ana Speaker" in text and "Papers for all." in text
    assert "Chatty Commenter" not in text and "A private aside." not in text


def test_lists_the_sessions_published_recommendations(client, session):
    here = dressed_recommendation(session=session)
    RecommendationFactory(event=session.event, session=session)  # a draft
    RecommendationFactory(published=True, event=session.event)

    response = client.get(URL)

    assert [r.reference for r in response.context["recommendations"]] == [here.reference]


def test_a_session_of_another_event_is_not_found(client, session):
    EventFactory(code="OAS2017")

    assert client.get("/events/OAS2017/sessions/T1/").status_code == 404


@pytest.mark.parametrize("size", [1, 10])
def test_queries_do_not_grow_with_speakers_or_recommendations(
    client, session, django_assert_max_num_queries, size
):
    many_dressed_recommendations(size, session=session)

    with django_assert_max_num_queries(15):
        response = client.get(URL)

    assert len(response.context["recommendations"]) == size
