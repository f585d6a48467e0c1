import pytest
from django.urls import reverse

from recommendations.models import Recommendation
from tests.factories.recommendations import RecommendationFactory

pytestmark = pytest.mark.django_db


def _form(recommendation, version, short_title):
    return {
        "reference": recommendation.reference,
        "short_title": short_title,
        "text": recommendation.text,
        "language": "en",
        "event": recommendation.event_id,
        "state": "draft",
        "loaded_version": version,
        **{
            f"{prefix}-{count}": "0"
            for prefix in ("objective_links", "translations", "links_to_earlier", "follow_ups")
            for count in ("TOTAL_FORMS", "INITIAL_FORMS")
        },
    }


def test_second_curator_cannot_silently_overwrite_the_first(
    curator_client, client, django_user_model
):
    recommendation = RecommendationFactory()
    url = reverse("admin:recommendations_recommendation_change", args=[recommendation.pk])
    # Both curators open the form while the recommendation is at the same version.
    opened = curator_client.get(url).context["adminform"].form.initial["loaded_version"]

    first = curator_client.post(url, _form(recommendation, opened, "First curator's title"))
    assert first.status_code == 302

    second = curator_client.post(url, _form(recommendation, opened, "Second curator's title"))

    assert second.status_code == 200
    assert "after you opened it" in second.content.decode()
    assert Recommendation.objects.get(pk=recommendation.pk).short_title == "First curator's title"


def test_saving_from_the_latest_version_goes_through(curator_client):
    recommendation = RecommendationFactory()
    url = reverse("admin:recommendations_recommendation_change", args=[recommendation.pk])
    opened = curator_client.get(url).context["adminform"].form.initial["loaded_version"]

    response = curator_client.post(url, _form(recommendation, opened, "Updated title"))

    assert response.status_code == 302
    assert Recommendation.objects.get(pk=recommendation.pk).short_title == "Updated title"
