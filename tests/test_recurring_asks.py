import datetime

import pytest

from recommendations.models import Recommendation, RecommendationLink, Status
from recommendations.services import record_follow_up
from tests.factories.consultations import EventFactory
from tests.factories.recommendations import RecommendationFactory


def made_at(event, reference: str, objectives, published=True):
    return RecommendationFactory(
        event=event, reference=reference, objectives=objectives, published=published
    )


def repeats(later, earlier):
    RecommendationLink.objects.create(
        from_recommendation=later, to_recommendation=earlier, kind=RecommendationLink.Kind.REPEATS
    )


@pytest.fixture
def asks(db):
    """Child detention asked in 2017, 2021 and 2023; two other asks; one unpublished repeat."""
    forum = EventFactory(code="OAS2017", start_date=None, end_date=None)
    review = EventFactory(code="REV2019", start_date=datetime.date(2019, 6, 1), end_date=None)
    regional = EventFactory(code="LAC2021", start_date=datetime.date(2021, 4, 13), end_date=None)
    webinar = EventFactory(code="WEB2023", start_date=datetime.date(2023, 9, 27), end_date=None)
    made = {
        "first": made_at(forum, "OAS2017-P1-01", [13]),
        "again": made_at(regional, "LAC2021-T1-01", [13]),
        "third": made_at(webinar, "WEB2023-T1-01", [7]),
        "alone": made_at(regional, "LAC2021-T1-02", [13]),
        "done": made_at(review, "REV2019-T1-01", [13]),
        "draft": made_at(webinar, "WEB2023-T1-02", [13], published=False),
    }
    repeats(made["again"], made["first"])
    repeats(made["third"], made["again"])
    repeats(made["draft"], made["alone"])
    record_follow_up(
        recommendation=made["first"], status=Status.NOT_STARTED, date=datetime.date(2019, 1, 10)
    )
    record_follow_up(
        recommendation=made["again"], status=Status.IN_PROGRESS, date=datetime.date(2022, 3, 1)
    )
    record_follow_up(
        recommendation=made["done"], status=Status.IMPLEMENTED, date=datetime.date(2020, 2, 1)
    )
    return made


def test_an_ask_tells_when_it_was_first_made_how_often_since_and_its_status(asks):
    ask = Recommendation.objects.published().ask_of(asks["third"])

    assert ask.recommendations == [asks["first"], asks["again"], asks["third"]]
    assert ask.first == asks["first"]
    assert ask.latest == asks["third"]
    assert ask.first_made == datetime.date(2017, 1, 1)
    assert ask.times_made == 3
    assert ask.times_repeated == 2
    assert ask.status == Status.IN_PROGRESS
    assert ask.is_open


def test_the_latest_evidence_decides_an_asks_status(asks):
    record_follow_up(
        recommendation=asks["first"], status=Status.IMPLEMENTED, date=datetime.date(2024, 1, 5)
    )

    ask = Recommendation.objects.published().ask_of(asks["again"])

    assert ask.status == Status.IMPLEMENTED
    assert not ask.is_open


def test_longest_standing_open_asks_come_first_for_an_objective(asks):
    open_for_13 = Recommendation.objects.published().longest_standing_open(13)

    assert [(a.first.reference, a.times_made) for a in open_for_13] == [
        ("OAS2017-P1-01", 3),
        ("LAC2021-T1-02", 1),
    ]
    assert [a.first for a in Recommendation.objects.published().longest_standing_open(7)] == [
        asks["first"]
    ]


def test_longest_standing_open_asks_take_a_fixed_number_of_queries(asks, django_assert_num_queries):
    for n in range(3):
        made_at(asks["alone"].event, f"LAC2021-T9-0{n}", [13])

    with django_assert_num_queries(3):
        open_asks = Recommendation.objects.published().longest_standing_open(13)
        summary = [(a.first_made, a.times_repeated, a.status) for a in open_asks]

    assert len(summary) == 5


def test_unpublished_repeats_are_not_counted_in_public(asks):
    public = Recommendation.objects.published()

    assert public.ask_of(asks["alone"]).times_made == 1
    assert public.ask_of(asks["draft"]) is None
    assert Recommendation.objects.ask_of(asks["alone"]).times_made == 2


def test_every_recommendation_belongs_to_exactly_one_ask(asks):
    grouped = Recommendation.objects.asks()

    members = [r.reference for a in grouped for r in a.recommendations]
    assert sorted(members) == sorted(r.reference for r in asks.values())
    assert len(grouped) == 3
