import datetime

import pytest

from recommendations.models import Status
from recommendations.services import record_follow_up
from tests.factories.objectives import ObjectiveFactory
from tests.factories.recommendations import RecommendationFactory
from tests.factories.site import many_dressed_recommendations

pytestmark = pytest.mark.django_db


def grid(response):
    return {objective.number: objective for objective in response.context["objectives"]}


@pytest.fixture
def all_objectives(db):
    return [ObjectiveFactory(number=number) for number in range(1, 24)]


def test_says_what_the_tracker_is(client):
    response = client.get("/")

    assert response.status_code == 200
    assert "What has been asked of governments on migration" in response.text


def test_shows_the_23_objectives_each_linking_to_its_page(client, all_objectives):
    response = client.get("/")

    assert sorted(grid(response)) == list(range(1, 24))
    for number in (1, 4, 23):
        assert f'href="/objectives/{number}/"' in response.text


def test_counts_only_published_recommendations_per_objective(client, all_objectives):
    RecommendationFactory.create_batch(2, published=True, objectives=[4])
    RecommendationFactory(published=True, objectives=[7, 4])
    RecommendationFactory(objectives=[4])  # a draft

    objectives = grid(client.get("/"))

    assert objectives[4].published_count == 3
    assert objectives[7].published_count == 1
    assert objectives[1].published_count == 0


def test_the_status_bar_shows_the_follow_up_statuses(client, all_objectives):
    moving, _waiting = RecommendationFactory.create_batch(2, published=True, objectives=[4])
    record_follow_up(
        recommendation=moving, status=Status.IN_PROGRESS, date=datetime.date(2024, 3, 1)
    )

    response = client.get("/")

    assert grid(response)[4].in_progress_count == 1
    assert 'aria-label="No information yet: 1; In progress: 1"' in response.text


def test_lists_the_latest_follow_up_updates_of_published_recommendations(client):
    published = RecommendationFactory(published=True, short_title="Close detention centres")
    record_follow_up(
        recommendation=published,
        status=Status.NOT_STARTED,
        date=datetime.date(2024, 6, 1),
        note="No plan yet.",
    )
    draft = RecommendationFactory(short_title="A draft nobody may see")
    record_follow_up(
        recommendation=draft, status=Status.IN_PROGRESS, date=datetime.date(2024, 7, 1)
    )

    response = client.get("/")

    assert list(response.context["latest_updates"])[0].recommendation == published
    assert "Close detention centres" in response.text
    assert "A draft nobody may see" not in response.text


def test_says_so_when_no_follow_up_exists_yet(client):
    assert "No follow-up has been recorded yet" in client.get("/").text


def test_has_a_skip_link_landmarks_and_the_page_language(client):
    response = client.get("/")

    assert '<html lang="en">' in response.text
    assert 'href="#main"' in response.text
    assert '<main id="main"' in response.text
    assert 'aria-label="Main"' in response.text


@pytest.mark.parametrize("size", [1, 10])
def test_queries_do_not_grow_with_objectives_or_updates(
    client, all_objectives, django_assert_max_num_queries, size
):
    many_dressed_recommendations(size)

    with django_assert_max_num_queries(4):
        response = client.get("/")

    assert len(response.context["latest_updates"]) == min(size, 8)
