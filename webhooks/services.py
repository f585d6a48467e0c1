"""Signed webhook deliveries: created with the change that causes them, sent by Celery tasks."""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from recommendations.models import Recommendation
from recommendations.roles import CURATOR
from webhooks.models import Attempt, Delivery, Endpoint

SIGNATURE_HEADER = "X-GCM-Signature"
USER_AGENT = "GCM-Commitment-Tracker-Webhooks/1"


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def recommendation_data(recommendation: Recommendation) -> dict:
    """The public description of a recommendation carried by every event."""
    links = sorted(
        recommendation.objective_links.select_related("objective"),
        key=lambda tag: (not tag.is_primary, tag.objective.number),
    )
    return {
        "reference": recommendation.reference,
        "url": settings.GCM_SITE_URL + recommendation.get_absolute_url(),
        "short_title": recommendation.short_title,
        "text": recommendation.text,
        "language": recommendation.language,
        "event": recommendation.event.code,
        "objectives": [tag.objective.number for tag in links],
        "current_status": recommendation.current_status,
        "status_date": recommendation.status_date,
        "updated_at": recommendation.updated_at,
    }


@transaction.atomic
def emit(*, event_type: str, recommendation: Recommendation) -> list[Delivery]:
    """Record one delivery per subscribed endpoint; they are sent once the change commits."""
    deliveries = [
        Delivery.objects.create(
            endpoint=endpoint, event_type=event_type, recommendation=recommendation
        )
        for endpoint in Endpoint.objects.listening_to(event_type)
    ]
    if deliveries:
        transaction.on_commit(lambda: [queue_delivery(delivery_id=d.pk) for d in deliveries])
    return deliveries


def _payload(delivery: Delivery) -> dict:
    data = recommendation_data(delivery.recommendation) if delivery.recommendation else {}
    event = {
        "id": str(delivery.event_id),
        "type": delivery.event_type,
        "created_at": delivery.created_at,
        "data": data,
    }
    return json.loads(json.dumps(event, cls=DjangoJSONEncoder))


def queue_delivery(*, delivery_id: int, countdown: float = 0) -> None:
    """Hand a delivery to a worker and note when, so the dispatcher does not queue it again."""
    from webhooks.tasks import deliver

    Delivery.objects.filter(pk=delivery_id).update(queued_at=timezone.now())
    deliver.apply_async((delivery_id,), countdown=countdown)


def _post(url: str, body: bytes, headers: dict) -> tuple[int | None, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        # Endpoint URLs are validated as http(s) when curators register them.
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=settings.GCM_WEBHOOK_TIMEOUT_SECONDS
        ) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, str(reason)[:500]


def backoff(attempt_count: int) -> timedelta:
    """Exponential: base, 2×base, 4×base… capped, so retries spread over the retry window."""
    seconds = settings.GCM_WEBHOOK_BACKOFF_SECONDS * 2 ** max(attempt_count - 1, 0)
    return timedelta(seconds=min(seconds, settings.GCM_WEBHOOK_BACKOFF_MAX_SECONDS))


def attempt_delivery(*, delivery_id: int) -> Delivery | None:
    """POST a pending delivery once, log the attempt, and schedule a retry or give up.

    The row stays locked during the POST, so a duplicate task waits and then finds it done.
    A worker that dies mid-POST rolls back, and the redelivered task posts again with the
    same event id, which receivers use to ignore repeats.
    """
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        now = timezone.now()
        if (
            delivery is None
            or delivery.state != Delivery.State.PENDING
            or not delivery.endpoint.is_active
            or delivery.next_attempt_at > now
        ):
            return delivery
        endpoint = delivery.endpoint
        if not delivery.payload:
            delivery.payload = _payload(delivery)
        body = json.dumps(delivery.payload, separators=(",", ":")).encode()
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-GCM-Event": delivery.event_type,
            "X-GCM-Delivery": str(delivery.event_id),
            SIGNATURE_HEADER: sign(secret=endpoint.secret, timestamp=timestamp, body=body),
        }
        started = time.monotonic()
        status_code, error = _post(endpoint.url, body, headers)
        delivery.attempt_count += 1
        attempt = Attempt.objects.create(
            delivery=delivery,
            number=delivery.attempt_count,
            started_at=now,
            duration_ms=int((time.monotonic() - started) * 1000),
            status_code=status_code,
            error=error,
        )
        delivery.last_status_code = status_code
        delivery.queued_at = None
        if attempt.succeeded:
            delivery.state = Delivery.State.DELIVERED
            delivery.delivered_at = timezone.now()
            endpoint.consecutive_failures = 0
        else:
            endpoint.consecutive_failures += 1
            delivery.next_attempt_at = timezone.now() + backoff(delivery.attempt_count)
            if delivery.next_attempt_at > delivery.expires_at:
                delivery.state = Delivery.State.GAVE_UP
            if (
                delivery.state == Delivery.State.GAVE_UP
                or endpoint.consecutive_failures >= settings.GCM_WEBHOOK_PAUSE_AFTER_FAILURES
            ):
                pause_endpoint(endpoint=endpoint, reason=_describe_failure(attempt))
        delivery.save()
        endpoint.save(update_fields=["consecutive_failures"])
    if delivery.state == Delivery.State.PENDING and not attempt.succeeded:
        wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
        # Short waits ride on the broker; long ones are left to the dispatcher, because a
        # Redis broker redelivers a task held past its visibility timeout.
        if wait <= settings.GCM_WEBHOOK_DIRECT_RETRY_MAX_SECONDS:
            queue_delivery(delivery_id=delivery.pk, countdown=max(wait, 0))
    return delivery


def _describe_failure(attempt: Attempt) -> str:
    answer = (
        _("answered %(code)s") % {"code": attempt.status_code}
        if attempt.status_code
        else attempt.error
    )
    return _("Attempt %(number)d at %(when)s failed: %(answer)s.") % {
        "number": attempt.number,
        "when": attempt.started_at.isoformat(timespec="seconds"),
        "answer": answer,
    }


def pause_endpoint(*, endpoint: Endpoint, reason: str) -> None:
    """Stop sending to a receiver that keeps failing, and tell the curators."""
    if not endpoint.is_active:
        return
    endpoint.is_active = False
    endpoint.paused_at = timezone.now()
    endpoint.paused_reason = reason
    endpoint.save(update_fields=["is_active", "paused_at", "paused_reason"])
    recipients = list(
        get_user_model()
        .objects.filter(groups__name=CURATOR, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if recipients:
        subject = _("Webhooks to %(partner)s are paused") % {"partner": endpoint.partner}
        body = _(
            "The tracker stopped sending events to %(url)s after %(failures)d failed attempts "
            "in a row.\n%(reason)s\n\nPending events are kept. Once the partner's receiver "
            "works again, resume the endpoint in the admin: %(admin)s"
        ) % {
            "url": endpoint.url,
            "failures": endpoint.consecutive_failures,
            "reason": reason,
            "admin": f"{settings.GCM_SITE_URL}/admin/webhooks/endpoint/{endpoint.pk}/change/",
        }
        transaction.on_commit(lambda: send_mail(subject, body, None, recipients))


def resume_endpoint(*, endpoint: Endpoint) -> int:
    """Send to a paused endpoint again; its pending deliveries go out now. Returns how many."""
    with transaction.atomic():
        endpoint.is_active = True
        endpoint.paused_at = None
        endpoint.paused_reason = ""
        endpoint.consecutive_failures = 0
        endpoint.save()
        pending = list(
            endpoint.deliveries.filter(state=Delivery.State.PENDING).values_list("pk", flat=True)
        )
        endpoint.deliveries.filter(pk__in=pending).update(next_attempt_at=timezone.now())
        transaction.on_commit(lambda: [queue_delivery(delivery_id=pk) for pk in pending])
    return len(pending)


def dispatch_due() -> int:
    """Queue every due delivery not already queued recently; returns how many were queued."""
    lease = timezone.now() - timedelta(seconds=settings.GCM_WEBHOOK_QUEUE_LEASE_SECONDS)
    # A queued delivery whose task vanished (a broker restart) is queued again after the lease.
    ids = list(
        Delivery.objects.due()
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=lease))
        .values_list("pk", flat=True)[:1000]
    )
    for delivery_id in ids:
        queue_delivery(delivery_id=delivery_id)
    return len(ids)
