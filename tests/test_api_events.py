import datetime

import pytest

from consultations.models import Event
from tests.api_matrix import assert_read_only_for_everyone
from tests.conftest import API_PERSONAS
from tests.factories.consultations import EventFactory, OrganizationFactory, SessionFactory
from tests.factories.objectives import ObjectiveFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/events/"


@pytest.fixture
def events(db):
    oas = EventFactory(
        code="OAS2017",
        kind=Event.Kind.FORUM,
        start_date=datetime.date(2017, 12, 4),
        end_date=datetime.date(2017, 12, 4),
        country="US",
        language="en",
        title="Special session of the OAS",
    )
    lac = EventFactory(code="LAC2021", country="PA", language="es", title="Regional review")
    lac.organizers.add(OrganizationFactory(slug="mmc"))
    SessionFactory(event=lac).objectives.add(ObjectiveFactory(number=9))
    return oas, lac


def test_an_event_has_its_code_dates_place_organizers_and_page(api_client, events):
    item = api_client.get(f"{LIST}LAC2021/").json()

    assert item["code"] == "LAC2021"
    assert item["year"] == 2021
    assert item["country"] == "PA"
    assert [o["slug"] for o in item["organizers"]] == ["mmc"]
    assert item["url"] == "http://testserver/events/LAC2021/"
    assert {"id", "created_at", "updated_at", "start_date", "end_date", "kind"} <= set(item)
    # Where the curators' working copy of the source lives is theirs, not part of the API.
    assert "source_document" not in item


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ({"year": 2017}, ["OAS2017"]),
        ({"year": "2017,2021"}, ["LAC2021", "OAS2017"]),
        ({"country": "pa"}, ["LAC2021"]),
        ({"kind": "forum"}, ["OAS2017"]),
        ({"language": "es"}, ["LAC2021"]),
        ({"organization": "mmc"}, ["LAC2021"]),
        ({"objective": 9}, ["LAC2021"]),
        ({"q": "oas special"}, ["OAS2017"]),
        ({"ordering": "code"}, ["LAC2021", "OAS2017"]),
        ({"ordering": "-code"}, ["OAS2017", "LAC2021"]),
    ],
)
def test_events_filter_and_order(api_client, events, query, codes):
    response = api_client.get(LIST, query)

    assert [item["code"] for item in response.json()["results"]] == codes


@pytest.mark.parametrize(
    "query",
    [{"country": "XX"}, {"year": 1800}, {"kind": "party"}, {"organization": "nobody"}],
)
def test_an_event_filter_with_an_unknown_value_is_a_400_naming_it(api_client, events, query):
    response = api_client.get(LIST, query)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == list(query)


def test_an_unknown_event_is_a_404(api_client, events):
    assert api_client.get(f"{LIST}NOPE/").status_code == 404


@pytest.mark.parametrize("page_size", [1, 50])
def test_a_list_of_events_runs_a_fixed_number_of_queries(
    api_client, page_size, django_assert_max_num_queries
):
    for _ in range(6):
        EventFactory().organizers.add(OrganizationFactory())

    with django_assert_max_num_queries(4):
        response = api_client.get(LIST, {"page_size": page_size})

    assert len(response.json()["results"]) == min(page_size, 6)


@pytest.mark.parametrize("persona", API_PERSONAS)
def test_everyone_reads_and_nobody_writes_here(api_as, events, persona):
    assert_read_only_for_everyone(api_as, persona, LIST)
