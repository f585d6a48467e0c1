"""axe-core in the real browser: no serious or critical violation on any kind of public page."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe

from consultations.models import Participation
from recommendations.models import RecommendationLink
from tests.factories.consultations import ParticipationFactory
from tests.factories.objectives import ObjectiveFactory
from tests.factories.recommendations import RecommendationFactory
from tests.factories.site import dressed_recommendation

pytestmark = pytest.mark.django_db(transaction=True)

BLOCKING = {"serious", "critical"}


@pytest.fixture
def site(transactional_db):
    for number in range(1, 24):
        ObjectiveFactory(number=number)
    recommendation = dressed_recommendation(reference="LAC2021-T1-01", countries=["PA"])
    earlier = RecommendationFactory(published=True, reference="OAS2017-P1-01", objectives=[4])
    RecommendationLink.objects.create(
        from_recommendation=recommendation,
        to_recommendation=earlier,
        kind=RecommendationLink.Kind.REPEATS,
    )
    ParticipationFactory(
        session=recommendation.session,
        role=Participation.Role.MODERATOR,
        notes="Opened the round table on regularisation.",
    )
    recommendation.session.guiding_questions.create(order=1, text="What works?")
    recommendation.session.objectives.add(ObjectiveFactory(number=4))
    recommendation.event.organizers.add(recommendation.organization)
    recommendation.event.start_date = datetime.date(2021, 4, 13)
    recommendation.event.save()
    return recommendation


def page_addresses(recommendation) -> list[str]:
    return [
        "/",
        "/objectives/",
        "/objectives/4/",
        "/objectives/4/?status=in_progress&year=abc",
        recommendation.get_absolute_url(),
        "/objectives/principles/human-rights/",
        "/events/",
        recommendation.event.get_absolute_url(),
        recommendation.session.get_absolute_url(),
        recommendation.speaker.get_absolute_url(),
        recommendation.organization.get_absolute_url(),
        "/search/?q=regularisation",
        "/coverage/",
        "/objectives/4/open-asks/",
        "/es/objectives/4/",
        "/recommendations/NOT-PUBLISHED-1/",
    ]


def test_no_serious_or_critical_violation_on_any_page_type(page, site):
    axe = Axe()
    found = {}
    for address in page_addresses(site):
        page.goto(address)
        # Open the collapsed parts, so their contents are checked too.
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        results = axe.run(page)
        blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
        if blocking:
            found[address] = [
                f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}" for v in blocking
            ]
    assert not found, found
