import csv
import io

import pytest

from consultations.models import Participation
from tests.api_matrix import assert_read_only_for_everyone
from tests.conftest import API_PERSONAS
from tests.factories.consultations import (
    OrganizationFactory,
    ParticipationFactory,
    PersonFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/people/"


@pytest.fixture
def speaker(db):
    person = PersonFactory(
        slug="ana-perez", name="Ana Pérez", phone="+507 555 0101", private_notes="Met in Quito."
    )
    ParticipationFactory(person=person, session=SessionFactory(event__code="LAC2021"))
    return person


@pytest.fixture
def chat_commenter(db):
    person = PersonFactory(slug="chat-only", name="Chat Only")
    ParticipationFactory(person=person, role=Participation.Role.CHAT_COMMENTER)
    return person


def test_a_person_shows_public_fields_only(api_client, speaker):
    item = api_client.get(f"{LIST}ana-perez/").json()

    assert set(item) == {
        "id",
        "slug",
        "name",
        "affiliation",
        "organization",
        "url",
        "created_at",
        "updated_at",
    }
    assert item["organization"]["slug"] == speaker.organization.slug
    assert item["url"] == "http://testserver/people/ana-perez/"


def test_contact_details_never_appear_in_json_or_csv(api_client, speaker):
    answers = [
        api_client.get(LIST).content,
        api_client.get(f"{LIST}ana-perez/").content,
        b"".join(api_client.get(LIST, {"format": "csv"}).streaming_content),
    ]

    for body in answers:
        text = body.decode()
        assert speaker.email not in text
        assert "555 0101" not in text
        assert "Quito" not in text


def test_chat_commenters_are_not_people_of_the_api(api_client, speaker, chat_commenter):
    listed = [item["slug"] for item in api_client.get(LIST).json()["results"]]

    assert listed == ["ana-perez"]
    assert api_client.get(f"{LIST}chat-only/").status_code == 404


def test_people_filter_by_the_event_where_they_spoke_in_public(api_client, speaker):
    other = PersonFactory(slug="other-speaker")
    ParticipationFactory(person=other)
    # Only a chat comment at LAC2021: that does not count as speaking there.
    ParticipationFactory(
        person=other,
        session=speaker.participations.get().session,
        role=Participation.Role.CHAT_COMMENTER,
    )

    response = api_client.get(LIST, {"event": "LAC2021"})

    assert [item["slug"] for item in response.json()["results"]] == ["ana-perez"]


def test_people_filter_by_session_organization_and_words(api_client, speaker):
    session = speaker.participations.get().session
    other = PersonFactory(slug="bruno", name="Bruno Souza", organization=OrganizationFactory())
    ParticipationFactory(person=other)

    assert [p["slug"] for p in api_client.get(LIST, {"session": session.pk}).json()["results"]] == [
        "ana-perez"
    ]
    by_org = api_client.get(LIST, {"organization": other.organization.slug}).json()["results"]
    assert [p["slug"] for p in by_org] == ["bruno"]
    assert [p["slug"] for p in api_client.get(LIST, {"q": "souza"}).json()["results"]] == ["bruno"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"event": "NOPE2000"}, "event"),
        ({"session": "x"}, "session"),
        ({"organization": "nope"}, "organization"),
    ],
)
def test_people_filters_name_unknown_values(api_client, speaker, query, parameter):
    response = api_client.get(LIST, query)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [parameter]


def test_people_csv_has_the_public_columns(api_client, speaker):
    response = api_client.get(LIST, {"format": "csv"})

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["slug"] == "ana-perez"
    assert row["organization"] == speaker.organization.slug
    assert "email" not in row


@pytest.mark.parametrize("page_size", [1, 50])
def test_a_list_of_people_runs_a_fixed_number_of_queries(
    api_client, page_size, django_assert_max_num_queries
):
    for _ in range(5):
        ParticipationFactory()

    with django_assert_max_num_queries(3):
        api_client.get(LIST, {"page_size": page_size})


@pytest.mark.parametrize("persona", API_PERSONAS)
def test_everyone_reads_and_nobody_writes_here(api_as, speaker, persona):
    assert_read_only_for_everyone(api_as, persona, LIST)
