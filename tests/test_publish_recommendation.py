import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from recommendations.models import Recommendation
from recommendations.services import publish_recommendation
from tests.factories.objectives import ObjectiveFactory
from tests.factories.recommendations import RecommendationFactory

pytestmark = pytest.mark.django_db


def test_curator_publishes_a_tagged_recommendation(curator):
    recommendation = RecommendationFactory(objectives=[7, 15])

    publish_recommendation(recommendation=recommendation, user=curator)

    recommendation.refresh_from_db()
    assert recommendation.state == Recommendation.State.PUBLISHED
    assert recommendation.published_at is not None
    assert recommendation.primary_objective.number == 7


def test_recommendation_cannot_be_published_without_an_objective(curator):
    recommendation = RecommendationFactory()

    with pytest.raises(ValidationError) as excinfo:
        publish_recommendation(recommendation=recommendation, user=curator)

    assert "objective" in str(excinfo.value)
    recommendation.refresh_from_db()
    assert recommendation.state == Recommendation.State.DRAFT


def test_rapporteur_cannot_publish(rapporteur):
    recommendation = RecommendationFactory(objectives=[7])

    with pytest.raises(PermissionDenied):
        publish_recommendation(recommendation=recommendation, user=rapporteur)

    recommendation.refresh_from_db()
    assert recommendation.state == Recommendation.State.DRAFT


def _admin_form(recommendation, state, objective_rows):
    data = {
        "reference": recommendation.reference,
        "short_title": recommendation.short_title,
        "text": recommendation.text,
        "language": "en",
        "event": recommendation.event_id,
        "state": state,
        "loaded_version": recommendation.updated_at.isoformat(),
        "objective_links-TOTAL_FORMS": str(len(objective_rows)),
        "objective_links-INITIAL_FORMS": "0",
        "translations-TOTAL_FORMS": "0",
        "translations-INITIAL_FORMS": "0",
        "links_to_earlier-TOTAL_FORMS": "0",
        "links_to_earlier-INITIAL_FORMS": "0",
        "follow_ups-TOTAL_FORMS": "0",
        "follow_ups-INITIAL_FORMS": "0",
    }
    for i, (objective, primary) in enumerate(objective_rows):
        data[f"objective_links-{i}-objective"] = objective.pk
        data[f"objective_links-{i}-source"] = "curator"
        if primary:
            data[f"objective_links-{i}-is_primary"] = "on"
    return data


def test_rapporteur_cannot_publish_through_the_admin_form(rapporteur_client):
    recommendation = RecommendationFactory()
    objective = ObjectiveFactory(number=4)
    url = reverse("admin:recommendations_recommendation_change", args=[recommendation.pk])

    response = rapporteur_client.post(
        url, _admin_form(recommendation, "published", [(objective, True)])
    )

    assert response.status_code == 200
    assert "published is not one of the available choices" in response.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.state == Recommendation.State.DRAFT


def test_rapporteur_sees_published_recommendations_read_only(rapporteur_client):
    recommendation = RecommendationFactory(published=True)
    url = reverse("admin:recommendations_recommendation_change", args=[recommendation.pk])

    response = rapporteur_client.get(url)
    assert response.status_code == 200
    assert 'name="text"' not in response.content.decode()

    response = rapporteur_client.post(url, _admin_form(recommendation, "draft", []))
    assert response.status_code == 403


def test_admin_refuses_to_publish_without_an_objective(curator_client):
    recommendation = RecommendationFactory()
    url = reverse("admin:recommendations_recommendation_change", args=[recommendation.pk])

    response = curator_client.post(url, _admin_form(recommendation, "published", []))

    assert response.status_code == 200
    assert "needs at least one objective before it is published" in response.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.state == Recommendation.State.DRAFT


def test_curator_publishes_with_objectives_entered_in_the_same_form(curator_client, curator):
    recommendation = RecommendationFactory()
    objective = ObjectiveFactory(number=4)
    url = reverse("admin:recommendations_recommendation_change", args=[recommendation.pk])

    response = curator_client.post(
        url, _admin_form(recommendation, "published", [(objective, True)])
    )

    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.state == Recommendation.State.PUBLISHED
    tag = recommendation.objective_links.get()
    assert (tag.objective.number, tag.is_primary, tag.tagged_by) == (4, True, curator)
    assert recommendation.history.first().history_user == curator


def test_admin_requires_exactly_one_primary_objective_to_publish(curator_client):
    recommendation = RecommendationFactory()
    rows = [(ObjectiveFactory(number=4), False), (ObjectiveFactory(number=5), False)]
    url = reverse("admin:recommendations_recommendation_change", args=[recommendation.pk])

    response = curator_client.post(url, _admin_form(recommendation, "published", rows))

    assert response.status_code == 200
    assert "Mark one of its objectives as primary" in response.content.decode()
    assert not recommendation.objective_links.exists()
