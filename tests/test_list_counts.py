"""A list's counts (how many match, and each filter's values) are counted once per change of the
data and state of the filters, and show a change at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultations.models import Participation, Session
from recommendations.models import Recommendation
from recommendations.services import publish_recommendation
from tests.factories.consultations import PersonFactory, SessionFactory
from tests.factories.recommendations import AddresseeFactory, RecommendationFactory

pytestmark = pytest.mark.django_db

URL = "/objectives/4/"


def _counting_queries(client, url: str, query=None) -> list[str]:
    """The statements a visit sends that count (COUNT(...)) or read the countries to count."""
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, query or {}).status_code == 200
    return [
        q["sql"]
        for q in context.captured_queries
        if "COUNT(" in q["sql"] or '"countries" AS' in q["sql"]
    ]


def counts(response, name) -> dict[str, int]:
    facet = next(f for f in response.context["facets"] if f.field.name == name)
    return {option.value: option.count for option in facet.options}


def test_a_second_visit_counts_nothing_again(client):
    RecommendationFactory.create_batch(3, published=True, objectives=[4])

    assert _counting_queries(client, URL)
    assert _counting_queries(client, URL) == []


def test_paging_through_a_list_counts_once(client):
    RecommendationFactory.create_batch(21, published=True, objectives=[4])
    client.get(URL)

    assert _counting_queries(client, URL, {"page": 2}) == []
    response = client.get(URL, {"page": 2})
    assert response.context["page_obj"].paginator.count == 21
    assert len(response.context["recommendations"]) == 1


def test_the_cached_counts_are_the_counts(client):
    RecommendationFactory.create_batch(2, published=True, objectives=[4], language="es")
    RecommendationFactory(published=True, objectives=[4], language="en")
    client.get(URL, {"language": "es"})

    response = client.get(URL, {"language": "es"})

    assert response.context["page_obj"].paginator.count == 2
    assert counts(response, "language") == {"en": 1, "es": 2}


def test_each_list_and_state_of_its_filters_is_counted_apart(client):
    RecommendationFactory.create_batch(2, published=True, objectives=[4], language="es")
    RecommendationFactory(published=True, objectives=[5], language="en")
    client.get(URL)

    assert client.get("/objectives/5/").context["page_obj"].paginator.count == 1
    assert client.get(URL, {"language": "en"}).context["page_obj"].paginator.count == 0
    assert client.get(URL).context["page_obj"].paginator.count == 2


def test_publishing_shows_in_the_counts_at_once(client, curator):
    RecommendationFactory(published=True, objectives=[4])
    draft = RecommendationFactory(objectives=[4])
    assert client.get(URL).context["page_obj"].paginator.count == 1

    publish_recommendation(recommendation=draft, user=curator)
    response = client.get(URL)

    assert response.context["page_obj"].paginator.count == 2
    assert draft.reference in response.text


def test_unpublishing_leaves_the_counts_at_once(client):
    recommendation = RecommendationFactory(published=True, objectives=[4])
    assert client.get(URL).context["page_obj"].paginator.count == 1

    recommendation.state = Recommendation.State.DRAFT
    recommendation.save()

    assert client.get(URL).context["page_obj"].paginator.count == 0


def test_an_addressee_added_shows_in_the_counts_at_once(client):
    recommendation = RecommendationFactory(published=True, objectives=[4])
    assert counts(client.get(URL), "addressee") == {}

    recommendation.addressees.add(AddresseeFactory(slug="iom", name="IOM"))

    assert counts(client.get(URL), "addressee") == {"iom": 1}


def test_a_renamed_speaker_shows_in_the_filter_at_once(client):
    session = SessionFactory()
    speaker = PersonFactory(slug="ana-perez", name="Ana Pérez")
    session.participations.create(person=speaker, role=Participation.Role.PANELIST)
    RecommendationFactory(published=True, objectives=[4], event=session.event, speaker=speaker)
    assert "Ana Pérez" in client.get(URL).text

    speaker.name = "Ana María Pérez"
    speaker.save()

    assert "Ana María Pérez" in client.get(URL).text


def test_a_speaker_who_comes_to_speak_publicly_becomes_choosable_at_once(client):
    session = SessionFactory()
    speaker = PersonFactory(slug="ana-perez")
    RecommendationFactory(published=True, objectives=[4], event=session.event, speaker=speaker)
    assert counts(client.get(URL), "speaker") == {}

    session.participations.create(person=speaker, role=Participation.Role.PANELIST)

    assert counts(client.get(URL), "speaker") == {"ana-perez": 1}


def test_a_session_of_another_format_shows_in_the_counts_at_once(client):
    session = SessionFactory(format=Session.Format.PANEL)
    RecommendationFactory(published=True, objectives=[4], event=session.event, session=session)
    assert counts(client.get(URL), "format") == {"panel": 1}

    session.format = Session.Format.ROUND_TABLE
    session.save()

    assert counts(client.get(URL), "format") == {"round_table": 1}


def test_counts_are_labelled_in_each_language(client):
    RecommendationFactory(published=True, objectives=[4])
    assert "No information yet (1)" in client.get(URL).text

    spanish = client.get(f"/es{URL}").text

    assert "Sin información todavía (1)" in spanish
    assert "No information yet" not in spanish
