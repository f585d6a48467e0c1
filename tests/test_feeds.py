import datetime

import pytest
from django.urls import reverse

from recommendations.models import Status
from recommendations.services import record_follow_up
from tests.factories.recommendations import RecommendationFactory

pytestmark = pytest.mark.django_db


def test_updates_feed_lists_follow_up_on_published_recommendations_only(
    client, django_assert_max_num_queries
):
    published = RecommendationFactory(published=True, reference="LAC2021-T3-04")
    record_follow_up(
        recommendation=published,
        status=Status.IN_PROGRESS,
        date=datetime.date(2025, 1, 10),
        note="Bill tabled in Congress.",
    )
    draft = RecommendationFactory(reference="LAC2021-T3-05", text="Draft text")
    record_follow_up(
        recommendation=draft, status=Status.NOT_STARTED, date=datetime.date(2025, 1, 11)
    )

    with django_assert_max_num_queries(3):
        response = client.get(reverse("recommendations:feed_updates"))

    body = response.content.decode()
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "LAC2021-T3-04: In progress" in body and "Bill tabled in Congress." in body
    assert "LAC2021-T3-05" not in body


def test_objective_feed_lists_its_published_recommendations(client):
    RecommendationFactory(published=True, reference="OAS2017-P2-01", objectives=[10])
    RecommendationFactory(published=True, reference="OAS2017-P4-01", objectives=[6])
    RecommendationFactory(reference="OAS2017-P2-09", objectives=[10])

    response = client.get(reverse("recommendations:feed_objective", args=[10]))

    body = response.content.decode()
    assert "OAS2017-P2-01" in body
    assert "OAS2017-P4-01" not in body and "OAS2017-P2-09" not in body


def test_an_unknown_objective_has_no_feed(client):
    assert client.get(reverse("recommendations:feed_objective", args=[99])).status_code == 404


def test_pages_announce_their_feeds(client):
    RecommendationFactory(published=True, objectives=[10])
    page = client.get(reverse("objectives:detail", args=[10])).content.decode()
    assert reverse("recommendations:feed_updates") in page
    assert reverse("recommendations:feed_objective", args=[10]) in page
