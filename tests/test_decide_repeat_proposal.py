import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from recommendations.models import RecommendationLink, RepeatProposal
from recommendations.services import accept_repeat_proposal, reject_repeat_proposal
from tests.factories.consultations import EventFactory
from tests.factories.recommendations import RecommendationFactory


@pytest.fixture
def proposal(db):
    earlier = RecommendationFactory(
        event=EventFactory(start_date=datetime.date(2017, 5, 1), end_date=None),
        text="End the detention of migrant children.",
    )
    later = RecommendationFactory(
        event=EventFactory(start_date=datetime.date(2021, 4, 13), end_date=None),
        text="Stop detaining migrant children.",
    )
    return RepeatProposal.objects.create(later=later, earlier=earlier, score=0.4)


def test_accepting_links_the_later_recommendation_as_repeating_the_earlier(proposal, curator):
    link = accept_repeat_proposal(proposal=proposal, user=curator)

    assert link.from_recommendation == proposal.later
    assert link.to_recommendation == proposal.earlier
    assert link.kind == RecommendationLink.Kind.REPEATS
    assert link.created_by == curator
    assert link.history.get().history_user == curator
    assert proposal.state == RepeatProposal.State.ACCEPTED
    assert proposal.decided_by == curator
    assert proposal.decided_at is not None


def test_rejecting_links_nothing_and_records_who_decided(proposal, curator):
    reject_repeat_proposal(proposal=proposal, user=curator)

    assert not RecommendationLink.objects.exists()
    assert proposal.state == RepeatProposal.State.REJECTED
    assert proposal.decided_by == curator
    assert proposal.decided_at is not None


def test_a_pair_a_curator_already_linked_by_hand_keeps_that_link(proposal, curator):
    by_hand = RecommendationLink.objects.create(
        from_recommendation=proposal.later,
        to_recommendation=proposal.earlier,
        kind=RecommendationLink.Kind.REPEATS,
        note="Linked while reading both reports.",
    )

    assert accept_repeat_proposal(proposal=proposal, user=curator) == by_hand
    assert RecommendationLink.objects.count() == 1


@pytest.mark.parametrize("decide", [accept_repeat_proposal, reject_repeat_proposal])
def test_only_curators_may_decide(proposal, rapporteur, decide):
    for user in (None, rapporteur):
        with pytest.raises(PermissionDenied):
            decide(proposal=proposal, user=user)

    proposal.refresh_from_db()
    assert proposal.state == RepeatProposal.State.PROPOSED
    assert not RecommendationLink.objects.exists()


def test_a_decided_proposal_cannot_be_decided_again(proposal, curator):
    reject_repeat_proposal(proposal=proposal, user=curator)

    with pytest.raises(ValidationError, match="already rejected"):
        accept_repeat_proposal(proposal=proposal, user=curator)
    assert not RecommendationLink.objects.exists()


def test_a_repeat_must_come_from_another_event(proposal):
    same_event = RecommendationFactory(event=proposal.earlier.event)
    bad = RepeatProposal(later=same_event, earlier=proposal.earlier, score=0.9)

    with pytest.raises(ValidationError, match="later event"):
        bad.full_clean()
