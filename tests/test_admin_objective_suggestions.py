import pytest
from django.urls import reverse

from tests.factories.objectives import ObjectiveFactory
from tests.factories.recommendations import RecommendationFactory

pytestmark = pytest.mark.django_db
URL = "admin:recommendations_suggest_objectives"


@pytest.fixture
def objectives():
    return [ObjectiveFactory(number=number) for number in range(1, 24)]


def test_rapporteur_gets_all_23_objectives_ranked_with_confidences(rapporteur_client, objectives):
    RecommendationFactory(published=True, objectives=[20], text="Lower the cost of remittances.")

    response = rapporteur_client.post(
        reverse(URL), {"short_title": "", "text": "Reduce remittance transfer costs for migrants."}
    )

    data = response.json()
    scores = [s["score"] for s in data["suggestions"]]
    assert sorted(s["number"] for s in data["suggestions"]) == list(range(1, 24))
    assert scores == sorted(scores, reverse=True) and all(0 <= x <= 1 for x in scores)
    assert data["suggestions"][0]["number"] == 20
    assert data["objective_ids"]["20"] == objectives[19].pk


def test_an_empty_text_gets_no_suggestions(rapporteur_client, objectives):
    assert rapporteur_client.post(reverse(URL), {"text": "  "}).json()["suggestions"] == []


def test_the_form_offers_the_suggestions_box(rapporteur_client, objectives):
    page = rapporteur_client.get(
        reverse("admin:recommendations_recommendation_add")
    ).content.decode()
    assert 'id="objective-suggestions"' in page
    assert "admin/js/objective_suggestions.js" in page


def test_suggestions_are_for_editors_only(client, objectives):
    assert client.post(reverse(URL), {"text": "Remittances"}).status_code == 302
    assert client.get(reverse(URL)).status_code == 302
