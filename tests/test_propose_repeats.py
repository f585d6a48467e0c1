import datetime

import pytest
from django.core.management import call_command

from recommendations.models import RecommendationLink, RepeatProposal
from recommendations.recurring import find_repeat_candidates, when_held
from tests.factories.consultations import EventFactory
from tests.factories.recommendations import RecommendationFactory


def event(code: str, day: datetime.date | None):
    return EventFactory(code=code, start_date=day, end_date=day)


@pytest.fixture
def two_events(db):
    """A 2017 forum and a 2021 review: one ask made again in other words, the rest unrelated."""
    forum = event("FORUM2017", datetime.date(2017, 5, 1))
    review = event("REVIEW2021", datetime.date(2021, 4, 13))
    asks = {
        "detention_2017": RecommendationFactory(
            event=forum,
            reference="FORUM2017-P1-01",
            short_title="End the detention of migrant children",
            text="States should end the detention of migrant children and provide "
            "community-based alternatives to detention.",
            objectives=[13],
        ),
        "remittances_2017": RecommendationFactory(
            event=forum,
            reference="FORUM2017-P1-02",
            short_title="Cheaper remittances",
            text="Reduce the cost of sending remittances to below three per cent.",
            objectives=[20],
        ),
        "data_2017": RecommendationFactory(
            event=forum,
            reference="FORUM2017-P1-03",
            short_title="Disaggregated migration data",
            text="Collect migration data disaggregated by sex and age.",
            objectives=[1],
        ),
        "detention_2021": RecommendationFactory(
            event=review,
            reference="REVIEW2021-T1-01",
            short_title="No more detention of children",
            text="Governments must put an end to the immigration detention of children and "
            "offer alternatives to detention in the community.",
            objectives=[13, 7],
        ),
        "inspection_2021": RecommendationFactory(
            event=review,
            reference="REVIEW2021-T1-02",
            short_title="Labour inspection for migrant workers",
            text="Train labour inspectors to enforce decent working conditions for migrant "
            "workers in agriculture.",
            objectives=[6],
        ),
        "trafficking_2021": RecommendationFactory(
            event=review,
            reference="REVIEW2021-T1-03",
            short_title="Protect victims of trafficking",
            text="Identify the victims of trafficking in persons early and protect them.",
            objectives=[10],
        ),
    }
    return asks


def pairs(candidates):
    return {(c.later.reference, c.earlier.reference) for c in candidates}


def test_a_paraphrase_made_at_a_later_event_is_proposed_as_repeating_the_earlier(two_events):
    candidates = find_repeat_candidates()

    assert pairs(candidates) == {("REVIEW2021-T1-01", "FORUM2017-P1-01")}
    (found,) = candidates
    assert found.shared_objectives == (13,)
    assert 0 < found.score <= found.text_similarity <= 1


def test_unrelated_asks_are_not_proposed(two_events):
    found = pairs(find_repeat_candidates(min_score=0.01))
    unrelated = {
        ("REVIEW2021-T1-02", "FORUM2017-P1-02"),
        ("REVIEW2021-T1-03", "FORUM2017-P1-03"),
    }
    assert found
    assert not found & unrelated
    assert not pairs(find_repeat_candidates()) & unrelated


def test_asks_made_at_the_same_event_are_never_proposed(two_events):
    RecommendationFactory(
        event=two_events["detention_2021"].event,
        reference="REVIEW2021-T2-01",
        text="Governments must end the immigration detention of children.",
        objectives=[13],
    )

    found = pairs(find_repeat_candidates())

    assert ("REVIEW2021-T2-01", "REVIEW2021-T1-01") not in found
    assert ("REVIEW2021-T1-01", "REVIEW2021-T2-01") not in found


def test_an_event_without_dates_is_placed_by_the_year_in_its_code(db):
    assert when_held(event("OAS2017", None)) == datetime.date(2017, 1, 1)
    assert when_held(event("LAC2021", datetime.date(2021, 4, 13))) == datetime.date(2021, 4, 13)
    assert when_held(event("UNDATED", None)) is None


def test_the_command_stores_each_new_pair_once_and_links_nothing(two_events, capsys):
    call_command("propose_repeats")
    assert "1 new proposals" in capsys.readouterr().out
    call_command("propose_repeats")
    assert "0 new proposals" in capsys.readouterr().out

    proposal = RepeatProposal.objects.get()
    assert proposal.later == two_events["detention_2021"]
    assert proposal.earlier == two_events["detention_2017"]
    assert proposal.state == RepeatProposal.State.PROPOSED
    assert not RecommendationLink.objects.exists()


def test_a_rejected_or_already_linked_pair_is_not_proposed_again(two_events, capsys):
    call_command("propose_repeats")
    RepeatProposal.objects.update(state=RepeatProposal.State.REJECTED)
    call_command("propose_repeats")
    assert RepeatProposal.objects.count() == 1

    RepeatProposal.objects.all().delete()
    RecommendationLink.objects.create(
        from_recommendation=two_events["detention_2021"],
        to_recommendation=two_events["detention_2017"],
        kind=RecommendationLink.Kind.FOLLOWS_UP_ON,
    )
    call_command("propose_repeats")
    assert not RepeatProposal.objects.exists()


def test_a_dry_run_prints_the_pairs_and_stores_nothing(two_events, capsys):
    call_command("propose_repeats", "--dry-run")

    printed = capsys.readouterr().out
    assert "REVIEW2021-T1-01 repeats FORUM2017-P1-01?" in printed
    assert not RepeatProposal.objects.exists()


def test_the_scheduled_task_stores_proposals_once(two_events):
    from recommendations.models import RepeatProposal
    from recommendations.tasks import propose_repeats as scheduled

    first = scheduled()
    again = scheduled()

    assert first >= 1 and again == 0
    assert RepeatProposal.objects.count() == first
