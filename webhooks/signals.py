"""Turns saves of recommendations into webhook events, whichever path made the change."""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from recommendations.models import Recommendation
from webhooks.models import EventType
from webhooks.services import emit

# Saves that only re-derive follow-up state are not edits of the recommendation.
DERIVED_FIELDS = {"current_status", "status_date", "next_review_date", "updated_at", "published_at"}


@receiver(pre_save, sender=Recommendation, dispatch_uid="webhooks.remember_before")
def remember_before(sender, instance, raw=False, **kwargs):
    instance._webhook_before = (
        None
        if raw or instance.pk is None
        else Recommendation.objects.filter(pk=instance.pk).values("state", "current_status").first()
    )


@receiver(post_save, sender=Recommendation, dispatch_uid="webhooks.emit_events")
def emit_events(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or not instance.is_published:
        return
    before = getattr(instance, "_webhook_before", None)
    if created or before is None or before["state"] != Recommendation.State.PUBLISHED:
        emit(event_type=EventType.RECOMMENDATION_PUBLISHED, recommendation=instance)
        return
    if before["current_status"] != instance.current_status:
        emit(event_type=EventType.STATUS_CHANGED, recommendation=instance)
    if update_fields is None or set(update_fields) - DERIVED_FIELDS:
        emit(event_type=EventType.RECOMMENDATION_EDITED, recommendation=instance)
