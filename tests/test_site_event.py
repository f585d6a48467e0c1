import pytest

from consultations.models import Participation
from tests.factories.consultations import EventFactory, OrganizationFactory, SessionFactory
from tests.factories.recommendations import RecommendationFactory
from tests.factories.site import (
    chat_commenter,
    dressed_recommendation,
    many_dressed_recommendations,
)

pytestmark = pytest.mark.django_db


def test_the_events_list_links_each_event_with_its_count(client):
    event = EventFactory(code="LAC2021", title="Regional review")
    RecommendationFactory.create_batch(2, published=True, event=event)
    RecommendationFactory(event=event)  # a draft

    response = client.get("/events/")

    assert "/events/LAC2021/" in response.text
    assert list(response.context["events"])[0].published_count == 2


def test_shows_what_happened_who_spoke_and_what_they_recommended(client):
    organizer = OrganizationFactory(name="Organization of American States", acronym="OAS")
    event = EventFactory(code="OAS2017", title="High-Level Forum", description="A forum.")
    event.organizers.add(organizer)
    recommendation = dressed_recommendation(event=event, short_title="Protect migrant children")

    response = client.get("/events/OAS2017/")

    text = response.text
    assert response.status_code == 200
    assert "High-Level Forum" in text and "A forum." in text
    assert organizer.get_absolute_url() in text
    assert recommendation.session.get_absolute_url() in text
    assert recommendation.speaker.name in text
    assert "Protect migrant children" in text


def test_lists_only_this_events_published_recommendations(client):
    event = EventFactory(code="LAC2021")
    here = RecommendationFactory(published=True, event=event)
    RecommendationFactory(event=event)
    RecommendationFactory(published=True)

    response = client.get("/events/LAC2021/")

    assert [r.reference for r in response.context["recommendations"]] == [here.reference]
    assert {f.field.name for f in response.context["facets"]}.isdisjoint({"event", "year"})


def test_hides_chat_commenters(client):
    session = SessionFactory(event=EventFactory(code="WEB2022"))
    chat_commenter(session, person__name="Chatty Commenter")

    assert "Chatty Commenter" not in client.get("/events/WEB2022/").text


def test_an_unknown_event_is_not_found(client):
    assert client.get("/events/NOPE2000/").status_code == 404


def test_downloads_its_recommendations_as_csv(client):
    event = EventFactory(code="LAC2021")
    RecommendationFactory(published=True, event=event, reference="LAC2021-T1-01")

    response = client.get("/events/LAC2021/", {"download": "csv"})

    assert 'filename="LAC2021-recommendations.csv"' in response["Content-Disposition"]
    assert b"LAC2021-T1-01" in b"".join(response.streaming_content)


@pytest.mark.parametrize("size", [1, 10])
def test_queries_do_not_grow_with_sessions_speakers_or_recommendations(
    client, django_assert_max_num_queries, size
):
    event = EventFactory(code="LAC2021")
    many_dressed_recommendations(size, event=event)
    assert Participation.objects.filter(session__event=event).count() == size

    with django_assert_max_num_queries(17):
        response = client.get("/events/LAC2021/")

    assert len(response.context["recommendations"]) == size
