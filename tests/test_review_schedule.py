import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.models import Recommendation, Status
from recommendations.services import publish_recommendation, record_follow_up
from tests.factories.recommendations import RecommendationFactory

pytestmark = pytest.mark.django_db


def test_publishing_schedules_the_first_review_after_the_default_interval(curator, settings):
    settings.GCM_REVIEW_INTERVAL_DAYS = 90
    recommendation = RecommendationFactory(objectives=[7])

    publish_recommendation(recommendation=recommendation, user=curator)

    recommendation.refresh_from_db()
    assert recommendation.next_review_date == timezone.localdate() + datetime.timedelta(days=90)


def test_drafts_are_never_due():
    recommendation = RecommendationFactory()
    assert recommendation.next_review_date is None
    assert not Recommendation.objects.due(datetime.date(2100, 1, 1)).exists()


def test_a_follow_up_moves_the_review_after_its_date_with_the_recommendations_own_interval():
    recommendation = RecommendationFactory(published=True, review_interval_days=30)
    future = timezone.localdate() + datetime.timedelta(days=400)

    record_follow_up(recommendation=recommendation, status=Status.IN_PROGRESS, date=future)

    recommendation.refresh_from_db()
    assert recommendation.next_review_date == future + datetime.timedelta(days=30)


def test_recommendations_past_their_review_date_are_due():
    recommendation = RecommendationFactory(published=True, review_interval_days=1)
    record_follow_up(
        recommendation=recommendation, status=Status.NOT_STARTED, date=datetime.date(2022, 1, 1)
    )
    fresh = RecommendationFactory(published=True)

    due = Recommendation.objects.due()

    assert list(due) == [recommendation]
    assert recommendation.is_due() and not fresh.is_due()


def test_curator_dashboard_lists_what_is_due_by_objective_and_curator(
    curator_client, curator, django_assert_max_num_queries
):
    for number in (4, 4, 9):
        recommendation = RecommendationFactory(
            published=True, objectives=[number], review_interval_days=1, curator=curator
        )
        record_follow_up(
            recommendation=recommendation, status=Status.NOT_STARTED, date=datetime.date(2022, 1, 1)
        )
    RecommendationFactory(published=True, objectives=[4])

    with django_assert_max_num_queries(12):
        response = curator_client.get(reverse("admin:recommendations_due"))

    assert response.status_code == 200
    assert response.context["total"] == 3
    assert {o.number: o.due for o in response.context["by_objective"]} == {4: 2, 9: 1}
    assert list(response.context["by_curator"]) == [
        {"curator__username": curator.username, "due": 3}
    ]


def test_admin_list_filters_due_recommendations(curator_client):
    due = RecommendationFactory(published=True, review_interval_days=1)
    record_follow_up(recommendation=due, status=Status.NOT_STARTED, date=datetime.date(2022, 1, 1))
    RecommendationFactory(published=True)

    response = curator_client.get(
        reverse("admin:recommendations_recommendation_changelist"), {"review": "due"}
    )

    assert list(response.context["cl"].result_list) == [due]


def test_the_dashboard_is_closed_to_the_public(client):
    response = client.get(reverse("admin:recommendations_due"))
    assert response.status_code == 302
