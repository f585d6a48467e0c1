"""Writes that span several models or must keep derived state consistent."""

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from recommendations.models import Addressee, FollowUp, Recommendation, Status

PUBLISH_PERMISSION = "recommendations.publish_recommendation"


def can_publish(user: AbstractBaseUser | None) -> bool:
    return user is not None and user.has_perm(PUBLISH_PERMISSION)


@transaction.atomic
def record_follow_up(
    *,
    recommendation: Recommendation,
    status: str,
    date: date,
    note: str = "",
    evidence_links: list[str] | None = None,
    recorded_by: AbstractBaseUser | None = None,
    addressee: Addressee | None = None,
    corrects: FollowUp | None = None,
) -> FollowUp:
    """Append a follow-up update and re-derive the recommendation's current status with it."""
    # Lock the recommendation so two updates recorded at once derive the status in turn.
    locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    follow_up = FollowUp(
        recommendation=locked,
        status=Status(status),
        date=date,
        note=note,
        evidence_links=list(evidence_links or []),
        recorded_by=recorded_by,
        addressee=addressee,
        corrects=corrects,
    )
    follow_up.full_clean()
    follow_up.save()
    locked.refresh_status()
    recommendation.refresh_from_db(
        fields=["current_status", "status_date", "next_review_date", "updated_at"]
    )
    return follow_up


@transaction.atomic
def publish_recommendation(
    *, recommendation: Recommendation, user: AbstractBaseUser | None
) -> Recommendation:
    """Publish a recommendation once it has its objectives; only curators may."""
    if not can_publish(user):
        raise PermissionDenied(_("Only curators can publish recommendations."))
    errors = recommendation.publication_errors()
    if errors:
        raise ValidationError(errors)
    recommendation.state = Recommendation.State.PUBLISHED
    recommendation.published_at = recommendation.published_at or timezone.now()
    recommendation.full_clean()
    recommendation.save()
    return recommendation
