"""save_unpublished_recommendations writes many drafts as save_recommendation would one by one."""

import pytest

from recommendations import services
from recommendations.models import Recommendation, RecommendationObjective
from tests.factories.consultations import EventFactory
from tests.factories.objectives import GuidingPrincipleFactory, ObjectiveFactory
from tests.factories.recommendations import AddresseeFactory, RecommendationFactory

pytestmark = pytest.mark.django_db

COPIED = [
    "reference",
    "short_title",
    "text",
    "language",
    "source_location",
    "countries",
    "state",
    "published_at",
    "review_interval_days",
    "event_id",
    "session_id",
    "speaker_id",
    "organization_id",
    "curator_id",
    "history_type",
    "history_user_id",
]


def draft(reference: str, event) -> Recommendation:
    return Recommendation(
        reference=reference,
        short_title="Protect migrant children",
        text="States should end the detention of migrant children.",
        event=event,
        countries=["CO", "PE"],
        state=Recommendation.State.IN_REVIEW,
    )


def test_their_history_is_what_saving_them_one_by_one_records(curator):
    event = EventFactory()
    objective = ObjectiveFactory(number=13)
    principle = GuidingPrincipleFactory(number=6)
    addressee = AddresseeFactory()
    tags = [(objective, True, RecommendationObjective.Source.CURATOR)]
    one = services.save_recommendation(
        recommendation=draft("TEST2024-A-01", event),
        user=curator,
        objective_tags=tags,
        principles=[principle],
        addressees=[addressee],
    )
    many = draft("TEST2024-A-02", event)

    services.save_unpublished_recommendations(
        edits=[
            services.RecommendationEdit(
                recommendation=many,
                objective_tags=tags,
                principles=[principle],
                addressees=[addressee],
            )
        ],
        user=curator,
    )

    def history(recommendation):
        entry = recommendation.history.values(*COPIED).get()
        return dict(entry, reference=None)

    assert history(many) == history(one)
    # The search trigger (PostgreSQL) indexes it as it indexes one saved alone: the same words,
    # but its own reference.
    vectors = dict(
        Recommendation.objects.filter(pk__in=[one.pk, many.pk]).values_list("pk", "search_vector")
    )
    assert str(vectors[many.pk] or "").replace("'02'", "'01'") == str(vectors[one.pk] or "")
    saved = Recommendation.objects.get(pk=many.pk)
    assert (saved.created_at, saved.updated_at) == (many.created_at, many.updated_at)
    assert [country.code for country in saved.countries] == ["CO", "PE"]
    assert list(many.principles.all()) == [principle]
    assert list(many.addressees.all()) == [addressee]
    tag = many.objective_links.get()
    assert (tag.objective, tag.is_primary, tag.tagged_by) == (objective, True, curator)
    assert tag.history.get().history_user == curator


def test_a_published_recommendation_is_refused_and_nothing_is_written(curator):
    event = EventFactory()
    published = RecommendationFactory(published=True)
    published.short_title = "Changed"
    before = Recommendation.history.count()

    with pytest.raises(ValueError, match="saved one by one"):
        services.save_unpublished_recommendations(
            edits=[
                services.RecommendationEdit(recommendation=draft("TEST2024-A-03", event)),
                services.RecommendationEdit(recommendation=published),
            ],
            user=curator,
        )

    assert not Recommendation.objects.filter(reference="TEST2024-A-03").exists()
    assert Recommendation.objects.get(pk=published.pk).short_title != "Changed"
    assert Recommendation.history.count() == before
