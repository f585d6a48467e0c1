"""The home and coverage pages count once per change of the data, and show a change at once."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultations.models import Event
from recommendations import aggregates
from recommendations.models import Status
from recommendations.services import publish_recommendation, record_follow_up
from tests.factories.consultations import EventFactory
from tests.factories.objectives import ObjectiveFactory
from tests.factories.recommendations import RecommendationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def objectives(db):
    return [ObjectiveFactory(number=number) for number in range(1, 24)]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def _published_count(response, number: int) -> int:
    return {o.number: o.published_count for o in response.context["objectives"]}[number]


@pytest.mark.parametrize("url", ["/", "/coverage/"])
def test_a_second_visit_counts_nothing_again(client, objectives, url):
    RecommendationFactory.create_batch(3, published=True, objectives=[4])

    first = _queries(client, url)
    again = _queries(client, url)

    assert first >= 3
    assert again == 0


def test_the_cached_counts_are_the_counts(client, objectives):
    RecommendationFactory.create_batch(2, published=True, objectives=[4])
    client.get("/")

    response = client.get("/")

    assert _published_count(response, 4) == 2
    assert response.context["published_count"] == 2


def test_a_follow_up_shows_on_the_home_page_at_once(client, objectives):
    recommendation = RecommendationFactory(published=True, objectives=[4])
    assert client.get("/").context["latest_updates"] == []

    record_follow_up(
        recommendation=recommendation,
        status=Status.IN_PROGRESS,
        date=datetime.date(2024, 3, 1),
        note="A bill was tabled.",
    )
    response = client.get("/")

    assert [u.recommendation for u in response.context["latest_updates"]] == [recommendation]
    assert "A bill was tabled." in response.text
    assert {o.number: o for o in response.context["objectives"]}[4].in_progress_count == 1


def test_publishing_shows_on_both_pages_at_once(client, objectives, curator):
    draft = RecommendationFactory(objectives=[4])
    assert _published_count(client.get("/"), 4) == 0
    assert _published_count(client.get("/coverage/"), 4) == 0

    publish_recommendation(recommendation=draft, user=curator)

    assert _published_count(client.get("/"), 4) == 1
    coverage = client.get("/coverage/")
    assert _published_count(coverage, 4) == 1
    assert draft.event.code in coverage.text


def test_the_drawn_charts_follow_a_change_at_once(client, objectives):
    RecommendationFactory(published=True, objectives=[4], event=EventFactory(code="FIRST2020"))
    assert "FIRST2020" in client.get("/coverage/").text

    RecommendationFactory(published=True, objectives=[9], event=EventFactory(code="LATER2024"))
    text = client.get("/coverage/").text

    assert "FIRST2020" in text
    assert "LATER2024" in text


def test_charts_are_cached_per_language(client, objectives):
    RecommendationFactory(published=True, objectives=[4])
    assert "Recommendations per objective" in client.get("/coverage/").text

    spanish = client.get("/es/coverage/").text

    assert "Recomendaciones por objetivo" in spanish
    assert "Recommendations per objective" not in spanish


def test_renaming_an_event_shows_at_once(client, objectives):
    recommendation = RecommendationFactory(published=True, objectives=[4])
    client.get("/coverage/")

    event = Event.objects.get(pk=recommendation.event_id)
    event.title = "A renamed regional review"
    event.save()

    assert "A renamed regional review" in client.get("/coverage/").text


def test_other_processes_count_afresh_once_the_change_is_committed(
    django_capture_on_commit_callbacks,
):
    before = aggregates.version()
    shared = cache.get(aggregates.VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        RecommendationFactory(published=True, objectives=[4])
        # Until the commit only this transaction sees the change, so only it counts afresh.
        assert cache.get(aggregates.VERSION_KEY) == shared
        assert aggregates.version() != before
    for callback in callbacks:
        callback()

    assert cache.get(aggregates.VERSION_KEY) != shared


def test_a_transaction_saving_many_rows_waits_for_one_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        RecommendationFactory.create_batch(5, published=True, objectives=[4, 7])

    assert sum(callback is aggregates._committed for callback in callbacks) == 1


def test_the_version_is_shared_through_the_cache():
    current = aggregates.version()

    assert cache.get(aggregates.VERSION_KEY) == current
    assert aggregates.version() == current
