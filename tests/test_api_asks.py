import datetime

import pytest

from recommendations.models import RecommendationLink, Status
from recommendations.services import record_follow_up
from tests.factories.consultations import EventFactory
from tests.factories.recommendations import RecommendationFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/asks/"


def _made(year, reference, number=7, **kwargs):
    return RecommendationFactory(
        reference=reference,
        objectives=[number],
        event=EventFactory(start_date=datetime.date(year, 4, 1), end_date=None),
        **kwargs,
    )


@pytest.fixture
def asks():
    first = _made(2017, "OAS2017-P1-01", published=True)
    again = _made(2021, "LAC2021-T1-01", published=True)
    RecommendationLink.objects.create(
        from_recommendation=again, to_recommendation=first, kind=RecommendationLink.Kind.REPEATS
    )
    done = _made(2019, "X2019-P1-01", number=20, published=True)
    record_follow_up(recommendation=done, status=Status.IMPLEMENTED, date=datetime.date(2024, 1, 1))
    _made(2023, "DRAFT2023-P1-01")


def test_open_asks_come_longest_standing_first_with_how_often_made(api_client, asks):
    body = api_client.get(URL).json()

    assert body["results"] == [
        {
            "first_made": "2017-04-01",
            "times_made": 2,
            "status": "no_information",
            "is_open": True,
            "recommendations": ["OAS2017-P1-01", "LAC2021-T1-01"],
        }
    ]


def test_all_asks_of_one_objective(api_client, asks):
    body = api_client.get(URL, {"objective": 20, "open": "false"}).json()
    assert [a["recommendations"] for a in body["results"]] == [["X2019-P1-01"]]
    assert body["results"][0]["status"] == "implemented"


def test_drafts_are_never_part_of_an_ask(api_client, asks):
    body = api_client.get(URL, {"open": "false"}).json()
    assert "DRAFT2023-P1-01" not in str(body)


@pytest.mark.parametrize(
    "query", [{"objective": "24"}, {"objective": "seven"}, {"open": "maybe"}, {"colour": "red"}]
)
def test_bad_parameters_are_named_in_a_400(api_client, asks, query):
    response = api_client.get(URL, query)
    assert response.status_code == 400
    assert next(iter(query)) in response.json()["errors"] or next(iter(query)) in str(
        response.json()
    )
