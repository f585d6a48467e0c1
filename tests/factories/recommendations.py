import factory

from recommendations.models import Addressee, Recommendation, RecommendationObjective
from tests.factories.consultations import EventFactory
from tests.factories.objectives import ObjectiveFactory


class AddresseeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Addressee
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"addressee-{n}")
    name = factory.Sequence(lambda n: f"Governments of the region {n}")


class RecommendationFactory(factory.django.DjangoModelFactory):
    """A draft recommendation; `published=True` also tags a primary objective and publishes it."""

    class Meta:
        model = Recommendation
        skip_postgeneration_save = True

    class Params:
        published = factory.Trait(state=Recommendation.State.PUBLISHED)

    reference = factory.Sequence(lambda n: f"TEST2021-T1-{n:03d}")
    short_title = "Regularise migrants in irregular situations"
    text = "States should open regularisation processes for all migrants."
    event = factory.SubFactory(EventFactory)
    state = Recommendation.State.DRAFT

    @factory.post_generation
    def objectives(self, create, numbers, **kwargs):
        if not create:
            return
        numbers = list(numbers or ([7] if self.state == Recommendation.State.PUBLISHED else []))
        for position, number in enumerate(numbers):
            RecommendationObjective.objects.create(
                recommendation=self,
                objective=ObjectiveFactory(number=number),
                is_primary=position == 0,
                source=RecommendationObjective.Source.CURATOR,
            )
