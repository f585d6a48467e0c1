"""Background work on follow-up; tasks take ids, load rows and call a service."""

from datetime import date

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone

from recommendations import services
from recommendations.models import ExportJob
from recommendations.roles import CURATOR


@shared_task(acks_late=True)
def send_daily_digests(day: str | None = None) -> int:
    """Queue one digest per active curator with an e-mail address; returns how many."""
    day = day or timezone.localdate().isoformat()
    curators = (
        get_user_model()
        .objects.filter(groups__name=CURATOR, is_active=True)
        .exclude(email="")
        .values_list("pk", flat=True)
        .distinct()
    )
    for user_id in curators:
        send_digest.delay(user_id, day)
    return len(curators)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=60, max_retries=10)
def send_digest(user_id: int, day: str) -> None:
    """Send one curator's digest for one day; a second run for the same day sends nothing."""
    recipient = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if recipient is None:
        return
    services.send_digest(recipient=recipient, day=date.fromisoformat(day))


@shared_task(acks_late=True)
def build_export(job_id: int) -> None:
    """Build one data export; a redelivered task finishes or skips it."""
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is not None:
        services.build_export(job=job)


@shared_task(acks_late=True)
def propose_repeats() -> int:
    """Look for recommendations that make an earlier ask again; curators decide on each."""
    from django.db import transaction

    from recommendations.recurring import find_repeat_candidates, store_repeat_proposals

    with transaction.atomic():
        return len(store_repeat_proposals(find_repeat_candidates()))
