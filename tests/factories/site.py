"""Fully dressed published recommendations, as the public pages show them."""

import datetime

from consultations.models import Participation
from recommendations.models import RecommendationTranslation, Status
from recommendations.services import record_follow_up
from tests.factories.consultations import (
    OrganizationFactory,
    ParticipationFactory,
    PersonFactory,
    SessionFactory,
)
from tests.factories.objectives import GuidingPrincipleFactory
from tests.factories.recommendations import AddresseeFactory, RecommendationFactory


def dressed_recommendation(*, event=None, objectives=(4,), status=Status.IN_PROGRESS, **fields):
    """A published recommendation with a session, a public speaker, an organization, an
    addressee, a principle, a translation and a follow-up with evidence."""
    session = fields.pop("session", None) or SessionFactory(**({"event": event} if event else {}))
    organization = fields.pop("organization", None) or OrganizationFactory()
    speaker = fields.pop("speaker", None) or PersonFactory(organization=organization)
    Participation.objects.get_or_create(
        session=session,
        person=speaker,
        role=Participation.Role.PANELIST,
        defaults={"notes": "Regularisation first."},
    )
    recommendation = RecommendationFactory(
        published=True,
        objectives=list(objectives),
        event=session.event,
        session=session,
        speaker=speaker,
        organization=organization,
        **fields,
    )
    recommendation.addressees.add(AddresseeFactory(slug="states", name="States"))
    recommendation.principles.add(GuidingPrincipleFactory(number=4, slug="human-rights"))
    RecommendationTranslation.objects.create(
        recommendation=recommendation,
        language="es",
        short_title="Regularizar a los migrantes",
        text="Los Estados deberían abrir procesos de regularización.",
    )
    record_follow_up(
        recommendation=recommendation,
        status=status,
        date=datetime.date(2023, 5, 2),
        note="A regularisation bill was tabled.",
        evidence_links=["https://example.org/bill"],
    )
    return recommendation


def many_dressed_recommendations(count: int, **fields):
    """`count` dressed recommendations, each with its own session, speaker and organization."""
    return [dressed_recommendation(**fields) for _ in range(count)]


def chat_commenter(session, **fields):
    """Somebody whose only part was a comment in the session's chat."""
    return ParticipationFactory(
        session=session, role=Participation.Role.CHAT_COMMENTER, **fields
    ).person
