import pytest

from consultations.models import Organization
from tests.api_matrix import assert_read_only_for_everyone
from tests.conftest import API_PERSONAS
from tests.factories.consultations import (
    EventFactory,
    OrganizationFactory,
    ParticipationFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/organizations/"


@pytest.fixture
def organizations(db):
    network = OrganizationFactory(
        slug="red-jesuita", name="Red Jesuita con Migrantes", country="GT"
    )
    ministry = OrganizationFactory(
        slug="cancilleria", name="Cancillería", kind=Organization.Kind.GOVERNMENT, country="CO"
    )
    event = EventFactory(code="LAC2021")
    ParticipationFactory(
        session=SessionFactory(event=event), organization=network, person__organization=network
    )
    return network, ministry


def test_an_organization_has_its_slug_kind_country_and_page(api_client, organizations):
    item = api_client.get(f"{LIST}red-jesuita/").json()

    assert set(item) == {
        "id",
        "slug",
        "name",
        "acronym",
        "kind",
        "country",
        "website",
        "url",
        "created_at",
        "updated_at",
    }
    assert item["country"] == "GT"
    assert item["url"] == "http://testserver/organizations/red-jesuita/"


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ({"kind": "government"}, ["cancilleria"]),
        ({"kind": "government,civil_society"}, ["cancilleria", "red-jesuita"]),
        ({"country": "GT"}, ["red-jesuita"]),
        ({"event": "LAC2021"}, ["red-jesuita"]),
        ({"q": "jesuita"}, ["red-jesuita"]),
    ],
)
def test_organizations_filter(api_client, organizations, query, slugs):
    response = api_client.get(LIST, query)

    assert [item["slug"] for item in response.json()["results"]] == slugs


def test_an_unknown_organization_kind_is_a_400(api_client, organizations):
    response = api_client.get(LIST, {"kind": "secret_society"})

    assert response.status_code == 400
    assert "secret_society" in response.json()["errors"]["kind"][0]


@pytest.mark.parametrize("page_size", [1, 50])
def test_a_list_of_organizations_runs_a_fixed_number_of_queries(
    api_client, page_size, django_assert_max_num_queries
):
    for _ in range(6):
        OrganizationFactory()

    with django_assert_max_num_queries(3):
        response = api_client.get(LIST, {"page_size": page_size})

    assert len(response.json()["results"]) == min(page_size, 6)


@pytest.mark.parametrize("persona", API_PERSONAS)
def test_everyone_reads_and_nobody_writes_here(api_as, organizations, persona):
    assert_read_only_for_everyone(api_as, persona, LIST)
