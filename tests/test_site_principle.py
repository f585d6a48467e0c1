import pytest

from tests.factories.objectives import GuidingPrincipleFactory
from tests.factories.recommendations import RecommendationFactory
from tests.factories.site import many_dressed_recommendations

pytestmark = pytest.mark.django_db

URL = "/objectives/principles/human-rights/"


@pytest.fixture
def principle(db):
    return GuidingPrincipleFactory(
        number=4,
        slug="human-rights",
        name_en="Human rights",
        name_es="Derechos humanos",
        description_en="Respect, protect and fulfil the human rights of all migrants.",
    )


def test_shows_the_principle_and_its_published_recommendations(client, principle):
    tagged = RecommendationFactory(published=True, short_title="Protect all migrants")
    tagged.principles.add(principle)
    draft = RecommendationFactory(short_title="A draft")
    draft.principles.add(principle)

    response = client.get(URL)

    assert "Respect, protect and fulfil" in response.text
    assert [r.reference for r in response.context["recommendations"]] == [tagged.reference]


def test_shows_the_name_in_the_chosen_language(client, principle):
    assert "<h1>Derechos humanos</h1>" in client.get("/es" + URL).text


def test_the_objectives_page_lists_the_principles_with_their_counts(client, principle):
    RecommendationFactory(published=True).principles.add(principle)

    response = client.get("/objectives/")

    assert URL in response.text
    assert list(response.context["principles"])[0].published_count == 1


def test_an_unknown_principle_is_not_found(client):
    assert client.get("/objectives/principles/nothing/").status_code == 404


@pytest.mark.parametrize("size", [1, 10])
def test_queries_do_not_grow_with_the_list(client, principle, django_assert_max_num_queries, size):
    many_dressed_recommendations(size)

    with django_assert_max_num_queries(15):
        response = client.get(URL)

    assert len(response.context["recommendations"]) == size
