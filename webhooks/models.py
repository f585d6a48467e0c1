import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    RECOMMENDATION_PUBLISHED = "recommendation.published", _("Recommendation published")
    STATUS_CHANGED = "recommendation.status_changed", _("Follow-up status changed")
    RECOMMENDATION_EDITED = "recommendation.edited", _("Published recommendation edited")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def validate_event_types(value):
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one event."))
    unknown = sorted(set(value) - set(EventType.values))
    if unknown:
        raise ValidationError(_("Unknown events: %(events)s") % {"events": ", ".join(unknown)})


class EndpointQuerySet(models.QuerySet):
    def listening_to(self, event_type: str):
        """Active endpoints subscribed to `event_type`."""
        # JSON containment is not available on SQLite, and endpoints are few.
        ids = [e.pk for e in self.filter(is_active=True) if event_type in e.event_types]
        return self.filter(pk__in=ids)


class Endpoint(models.Model):
    """A partner tool's URL that receives signed events."""

    partner = models.CharField(_("partner"), max_length=200)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        default=new_secret,
        help_text=_("Shared with the partner to verify signatures. Generated if left as is."),
    )
    event_types = models.JSONField(_("events"), default=list, validators=[validate_event_types])
    is_active = models.BooleanField(_("active"), default=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_reason = models.TextField(_("why it was paused"), blank=True)
    consecutive_failures = models.PositiveIntegerField(_("failed attempts in a row"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = EndpointQuerySet.as_manager()

    class Meta:
        ordering = ["partner", "url"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return f"{self.partner} → {self.url}"


class DeliveryQuerySet(models.QuerySet):
    def due(self, now=None):
        """Pending deliveries whose next attempt time has come, on active endpoints."""
        return self.filter(
            state=Delivery.State.PENDING,
            next_attempt_at__lte=now or timezone.now(),
            endpoint__is_active=True,
        )


class Delivery(models.Model):
    """One event for one endpoint, retried until it is accepted or a day has passed."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        GAVE_UP = "gave_up", _("Gave up")

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(_("event"), max_length=40, choices=EventType.choices)
    # The idempotency id: the same for every attempt, so receivers can ignore repeats.
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, editable=False)
    recommendation = models.ForeignKey(
        "recommendations.Recommendation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="webhook_deliveries",
    )
    # Built at the first attempt, after the change has committed, then sent unchanged on retries.
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempt_count = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now, db_index=True)
    # When a task for it was last queued; the dispatcher re-queues only after a lease expires.
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(
        _("last response code"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="one_delivery_per_event")
        ]

    def __str__(self):
        return f"{self.get_event_type_display()} → {self.endpoint.partner}"

    @property
    def expires_at(self):
        """After this, a failing delivery is given up."""
        return self.created_at + timedelta(seconds=settings.GCM_WEBHOOK_RETRY_WINDOW_SECONDS)


class Attempt(models.Model):
    """One POST of a delivery, with what the receiver answered."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    status_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self):
        return f"#{self.number} {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        """Whether the receiver accepted it (a 2xx answer)."""
        return self.status_code is not None and 200 <= self.status_code < 300
