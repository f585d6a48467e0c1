import pytest

from tests.api_matrix import assert_read_only_for_everyone
from tests.conftest import API_PERSONAS
from tests.factories.objectives import GuidingPrincipleFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/principles/"


@pytest.fixture
def principles(db):
    return [GuidingPrincipleFactory(number=number) for number in (1, 4, 6)]


def test_a_principle_has_its_number_slug_names_and_public_page(api_client, principles):
    item = api_client.get(f"{LIST}principle-4/").json()

    assert set(item) == {
        "id",
        "number",
        "slug",
        "name",
        "description",
        "url",
        "created_at",
        "updated_at",
    }
    assert item["number"] == 4
    assert item["name"]["en"] == "Principle 4"
    assert item["url"] == "http://testserver/objectives/principles/principle-4/"


def test_principles_filter_by_number(api_client, principles):
    response = api_client.get(LIST, {"number": "1,6"})

    assert [item["slug"] for item in response.json()["results"]] == ["principle-1", "principle-6"]


def test_a_principle_number_out_of_range_is_a_400(api_client, principles):
    response = api_client.get(LIST, {"number": 11})

    assert response.status_code == 400
    assert "number" in response.json()["errors"]


def test_principles_sync_from_a_moment_on(api_client, principles):
    principles[1].save()
    since = principles[0].updated_at.isoformat()

    response = api_client.get(LIST, {"updated_after": since})

    assert [item["number"] for item in response.json()["results"]] == [6, 4]
    assert response.json()["count"] is None


def test_an_unknown_principle_is_a_404(api_client, principles):
    assert api_client.get(f"{LIST}no-such-principle/").status_code == 404


@pytest.mark.parametrize("page_size", [1, 50])
def test_a_list_of_principles_runs_a_fixed_number_of_queries(
    api_client, principles, page_size, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        response = api_client.get(LIST, {"page_size": page_size})

    assert len(response.json()["results"]) == min(page_size, 3)


@pytest.mark.parametrize("persona", API_PERSONAS)
def test_everyone_reads_and_nobody_writes_here(api_as, principles, persona):
    assert_read_only_for_everyone(api_as, persona, LIST)
