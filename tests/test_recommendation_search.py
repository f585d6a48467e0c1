import pytest

from recommendations.models import Recommendation
from tests.factories.consultations import PersonFactory
from tests.factories.recommendations import RecommendationFactory

pytestmark = pytest.mark.django_db


def test_search_needs_every_word_and_ranks_the_exact_phrase_first():
    phrase = RecommendationFactory(text="Guarantee access to health services for all migrants.")
    scattered = RecommendationFactory(
        text="Access to justice matters; health workers should be trained for migrants."
    )
    RecommendationFactory(text="Open regular pathways for labour migration.")

    found = list(Recommendation.objects.search("access to health").order_by("-rank", "reference"))

    assert found == [phrase, scattered]


def test_search_finds_speakers_by_name():
    speaker = PersonFactory(name="Alma Maquitico")
    recommendation = RecommendationFactory(speaker=speaker)
    RecommendationFactory()

    assert list(Recommendation.objects.search("maquitico")) == [recommendation]


def test_search_is_chainable_with_published():
    RecommendationFactory(text="Detention of children must end.")
    published = RecommendationFactory(published=True, text="Detention of children must end now.")

    assert list(Recommendation.objects.published().search("detention children")) == [published]
