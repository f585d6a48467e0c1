import pytest

from consultations.models import Participation
from tests.factories.consultations import (
    EventFactory,
    OrganizationFactory,
    ParticipationFactory,
    PersonFactory,
)
from tests.factories.recommendations import RecommendationFactory
from tests.factories.site import chat_commenter, dressed_recommendation

pytestmark = pytest.mark.django_db


@pytest.fixture
def organization(db):
    return OrganizationFactory(
        slug="iom", name="International Organization for Migration", acronym="IOM"
    )


def test_shows_the_organization_its_events_people_and_recommendations(client, organization):
    event = EventFactory(title="Regional review")
    event.organizers.add(organization)
    recommendation = dressed_recommendation(organization=organization, short_title="Fund shelters")

    response = client.get("/organizations/iom/")

    text = response.text
    assert response.status_code == 200
    assert "International Organization for Migration" in text and "(IOM)" in text
    assert event.get_absolute_url() in text
    assert recommendation.speaker.name in text
    assert "Fund shelters" in text


def test_does_not_list_people_who_only_commented_in_a_chat(client, organization):
    person = PersonFactory(organization=organization, name="Chatty Commenter")
    chat_commenter(ParticipationFactory().session, person=person)

    assert "Chatty Commenter" not in client.get("/organizations/iom/").text


def test_lists_who_spoke_on_its_behalf(client, organization):
    participation = ParticipationFactory(
        organization=organization, person__name="Laura Thompson", role=Participation.Role.PRESENTER
    )

    text = client.get("/organizations/iom/").text

    assert "Laura Thompson" in text
    assert participation.session.get_absolute_url() in text


def test_an_unknown_organization_is_not_found(client):
    assert client.get("/organizations/nobody/").status_code == 404


def test_lists_only_its_published_recommendations(client, organization):
    ours = RecommendationFactory(published=True, organization=organization)
    RecommendationFactory(organization=organization)
    RecommendationFactory(published=True)

    response = client.get("/organizations/iom/")

    assert [r.reference for r in response.context["recommendations"]] == [ours.reference]


@pytest.mark.parametrize("size", [1, 10])
def test_queries_do_not_grow_with_people_or_recommendations(
    client, organization, django_assert_max_num_queries, size
):
    for _ in range(size):
        dressed_recommendation(organization=organization)

    with django_assert_max_num_queries(17):
        response = client.get("/organizations/iom/")

    assert len(response.context["recommendations"]) == size
