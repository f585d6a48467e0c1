import pytest
from django.urls import reverse

from recommendations.models import RecommendationLink, RepeatProposal
from tests.factories.recommendations import RecommendationFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:recommendations_repeatproposal_changelist"


@pytest.fixture
def proposal():
    earlier = RecommendationFactory(published=True, reference="OAS2017-P4-01")
    later = RecommendationFactory(published=True, reference="LAC2021-T4-02")
    return RepeatProposal.objects.create(later=later, earlier=earlier, score=0.82)


def _act(client, action, proposal):
    return client.post(
        reverse(CHANGELIST), {"action": action, "_selected_action": [proposal.pk]}, follow=True
    )


def test_curator_accepts_a_proposal_and_the_repeat_is_linked(curator_client, curator, proposal):
    response = _act(curator_client, "accept", proposal)

    assert "1 repeat linked." in response.content.decode()
    link = RecommendationLink.objects.get()
    assert (link.from_recommendation, link.to_recommendation, link.kind) == (
        proposal.later,
        proposal.earlier,
        RecommendationLink.Kind.REPEATS,
    )
    proposal.refresh_from_db()
    assert (proposal.state, proposal.decided_by) == (RepeatProposal.State.ACCEPTED, curator)


def test_curator_rejects_a_proposal_and_nothing_is_linked(curator_client, proposal):
    _act(curator_client, "reject", proposal)

    proposal.refresh_from_db()
    assert proposal.state == RepeatProposal.State.REJECTED
    assert not RecommendationLink.objects.exists()


def test_a_decided_proposal_is_not_decided_again(curator_client, proposal):
    _act(curator_client, "reject", proposal)
    _act(curator_client, "accept", proposal)

    assert not RecommendationLink.objects.exists()


def test_rapporteurs_do_not_decide_on_repeats(rapporteur_client, proposal):
    assert rapporteur_client.get(reverse(CHANGELIST)).status_code == 403
    _act(rapporteur_client, "accept", proposal)
    assert not RecommendationLink.objects.exists()
