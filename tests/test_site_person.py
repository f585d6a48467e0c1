import pytest

from tests.factories.consultations import (
    OrganizationFactory,
    ParticipationFactory,
    PersonFactory,
    SessionFactory,
)
from tests.factories.recommendations import RecommendationFactory
from tests.factories.site import chat_commenter, dressed_recommendation

pytestmark = pytest.mark.django_db


def test_shows_who_they_are_where_they_spoke_and_what_they_recommended(client):
    recommendation = dressed_recommendation(short_title="Papers for all")
    person = recommendation.speaker

    response = client.get(person.get_absolute_url())

    text = response.text
    assert response.status_code == 200
    assert person.name in text and person.affiliation in text
    assert recommendation.session.get_absolute_url() in text
    assert "Regularisation first." in text
    assert "Papers for all" in text


def test_never_shows_contact_details(client):
    person = PersonFactory(
        email="ana@example.org", phone="+52 555 0101", private_notes="Met at the forum"
    )
    ParticipationFactory(person=person)

    text = client.get(person.get_absolute_url()).text

    for private in ("ana@example.org", "+52 555 0101", "Met at the forum"):
        assert private not in text


def test_a_person_who_only_commented_in_a_chat_has_no_public_page(client):
    commenter = chat_commenter(SessionFactory())

    assert client.get(commenter.get_absolute_url()).status_code == 404


def test_chat_comments_of_a_public_speaker_are_not_listed(client):
    session = SessionFactory(title="Where they only chatted")
    person = ParticipationFactory().person
    chat_commenter(session, person=person, notes="An aside in the chat.")

    text = client.get(person.get_absolute_url()).text

    assert "Where they only chatted" not in text
    assert "An aside in the chat." not in text


def test_an_unknown_person_is_not_found(client):
    assert client.get("/people/nobody/").status_code == 404


def test_lists_only_their_published_recommendations(client):
    mine = dressed_recommendation()
    RecommendationFactory(event=mine.event, speaker=mine.speaker)  # a draft
    RecommendationFactory(published=True)

    response = client.get(mine.speaker.get_absolute_url())

    assert [r.reference for r in response.context["recommendations"]] == [mine.reference]


@pytest.mark.parametrize("size", [1, 10])
def test_queries_do_not_grow_with_participations_or_recommendations(
    client, django_assert_max_num_queries, size
):
    person = PersonFactory(organization=OrganizationFactory())
    for _ in range(size):
        dressed_recommendation(speaker=person)

    with django_assert_max_num_queries(15):
        response = client.get(person.get_absolute_url())

    assert len(response.context["recommendations"]) == size
    assert len(response.context["participations"]) == size
