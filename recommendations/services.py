"""Writes that span several models or must keep derived state consistent."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from recommendations.models import (
    Addressee,
    DigestDelivery,
    FollowUp,
    Recommendation,
    Status,
)

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


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@transaction.atomic
def send_digest(*, recipient: AbstractBaseUser, day: date) -> DigestDelivery:
    """Send `recipient` the digest for `day` unless it was already sent: once, however often called.

    It lists the recommendations that came due since the previous digest and the follow-up
    updates recorded since then. The delivery row is locked while the e-mail is sent, so a
    task delivered twice waits and then finds it sent; a worker that dies before the commit
    leaves it unsent, so the redelivered task sends it.
    """
    until = _start_of(day + timedelta(days=1))
    previous = (
        DigestDelivery.objects.filter(recipient=recipient, day__lt=day, sent_at__isnull=False)
        .order_by("-day")
        .first()
    )
    since = previous.covers_until if previous else _start_of(day)
    # Came due since the previous digest: after its day (or just today, for the first digest).
    due_after = previous.day if previous else day - timedelta(days=1)
    delivery, _created = DigestDelivery.objects.select_for_update().get_or_create(
        recipient=recipient, day=day, defaults={"covers_since": since, "covers_until": until}
    )
    if delivery.sent_at:
        return delivery
    came_due = (
        Recommendation.objects.published()
        .filter(
            next_review_date__gt=due_after,
            next_review_date__lte=day,
        )
        .select_related("event", "curator")
        .order_by("next_review_date", "reference")
    )
    updates = (
        FollowUp.objects.filter(
            recorded_at__gte=delivery.covers_since, recorded_at__lt=delivery.covers_until
        )
        .select_related("recommendation", "recorded_by")
        .order_by("recorded_at")
    )
    context = {
        "recipient": recipient,
        "day": day,
        "came_due": list(came_due),
        "updates": list(updates),
        "site_url": settings.GCM_SITE_URL,
    }
    delivery.due_count, delivery.update_count = len(context["came_due"]), len(context["updates"])
    if (delivery.due_count or delivery.update_count) and recipient.email:
        with translation.override(settings.LANGUAGE_CODE):
            message = EmailMultiAlternatives(
                subject=_("GCM Tracker digest for %(day)s: %(due)d due, %(updates)d updates")
                % {
                    "day": day.isoformat(),
                    "due": delivery.due_count,
                    "updates": delivery.update_count,
                },
                body=render_to_string("emails/digest.txt", context),
                to=[recipient.email],
                headers={"X-GCM-Digest": f"{recipient.pk}:{day.isoformat()}"},
            )
            message.send()
    delivery.sent_at = timezone.now()
    delivery.save()
    return delivery
