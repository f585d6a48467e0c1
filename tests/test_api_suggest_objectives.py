import pytest

from tests.factories.objectives import ObjectiveFactory
from tests.factories.recommendations import RecommendationFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/suggest-objectives/"


@pytest.fixture
def model_data():
    for number in range(1, 24):
        ObjectiveFactory(number=number)
    RecommendationFactory(published=True, objectives=[20], text="Lower the cost of remittances.")
    RecommendationFactory(published=True, objectives=[13], text="End the detention of children.")


def test_a_text_gets_all_23_objectives_ranked_with_scores(api_client, model_data):
    response = api_client.post(
        URL, {"text": "Bring down remittance transfer fees for migrants."}, format="json"
    )

    assert response.status_code == 200
    ranked = response.json()
    assert sorted(item["number"] for item in ranked) == list(range(1, 24))
    assert ranked[0]["number"] == 20
    scores = [item["score"] for item in ranked]
    assert scores == sorted(scores, reverse=True)
    assert abs(sum(scores) - 1) < 0.01


def test_spanish_text_is_understood(api_client, model_data):
    response = api_client.post(
        URL,
        {"text": "Poner fin a la detención de niños migrantes.", "language": "es"},
        format="json",
    )
    assert 13 in [item["number"] for item in response.json()[:3]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"text": "ok", "language": "de"}, "language"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_client, model_data, body, field):
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in str(response.json())


def test_a_read_token_may_ask_for_suggestions(api_client, model_data, read_token):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {read_token.raw}")
    assert api_client.post(URL, {"text": "Remittances"}, format="json").status_code == 200
