import pytest

from consultations.models import Participation, Session
from tests.api_matrix import assert_read_only_for_everyone
from tests.conftest import API_PERSONAS
from tests.factories.consultations import EventFactory, ParticipationFactory, SessionFactory
from tests.factories.objectives import ObjectiveFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/sessions/"


@pytest.fixture
def session(db):
    session = SessionFactory(
        event=EventFactory(code="LAC2021"), code="T2", format=Session.Format.ROUND_TABLE
    )
    session.objectives.set([ObjectiveFactory(number=9), ObjectiveFactory(number=10)])
    session.guiding_questions.create(order=1, text="What protects migrants from smugglers?")
    ParticipationFactory(session=session, person__slug="ana-perez")
    ParticipationFactory(
        session=session, person__slug="chatter", role=Participation.Role.CHAT_COMMENTER
    )
    return session


def test_a_session_shows_its_event_objectives_questions_and_public_speakers(api_client, session):
    item = api_client.get(f"{LIST}{session.pk}/").json()

    assert item["event"]["code"] == "LAC2021"
    assert item["code"] == "T2"
    assert item["objectives"] == [9, 10]
    assert item["guiding_questions"] == ["What protects migrants from smugglers?"]
    assert [p["person"]["slug"] for p in item["participants"]] == ["ana-perez"]
    assert item["url"] == "http://testserver/events/LAC2021/sessions/T2/"
    assert {"created_at", "updated_at", "id"} <= set(item)


def test_sessions_filter_by_event_year_format_objective_and_words(api_client, session):
    SessionFactory(format=Session.Format.PANEL, title="Labour", event__start_date="2019-05-01")

    def codes(**query):
        return [item["code"] for item in api_client.get(LIST, query).json()["results"]]

    assert codes(event="LAC2021") == ["T2"]
    assert codes(year=2021) == ["T2"]
    assert codes(session_format="round_table") == ["T2"]
    assert codes(objective="9,12") == ["T2"]
    assert codes(objective=12) == []
    assert codes(q="thematic") == ["T2"]


def test_a_session_filter_value_outside_its_choices_is_a_400(api_client, session):
    response = api_client.get(LIST, {"session_format": "banquet"})

    assert response.status_code == 400
    assert "session_format" in response.json()["errors"]


def test_renaming_the_event_changes_the_sessions_etag(api_client, session):
    before = api_client.get(f"{LIST}{session.pk}/")["ETag"]

    session.event.title = "Renamed"
    session.event.save()

    after = api_client.get(f"{LIST}{session.pk}/", HTTP_IF_NONE_MATCH=before)
    assert after.status_code == 200
    assert after.json()["event"]["title"] == "Renamed"


@pytest.mark.parametrize("page_size", [1, 50])
def test_a_list_of_sessions_runs_a_fixed_number_of_queries(
    api_client, page_size, django_assert_max_num_queries
):
    for _ in range(6):
        session = SessionFactory()
        session.objectives.add(ObjectiveFactory())
        ParticipationFactory(session=session)

    with django_assert_max_num_queries(6):
        response = api_client.get(LIST, {"page_size": page_size})

    assert len(response.json()["results"]) == min(page_size, 6)


@pytest.mark.parametrize("persona", API_PERSONAS)
def test_everyone_reads_and_nobody_writes_here(api_as, session, persona):
    assert_read_only_for_everyone(api_as, persona, LIST)
