"""The expensive aggregates of the home and coverage pages, cached until the data changes.

Counting every published recommendation by objective and status, by event, and by event and
objective takes hundreds of milliseconds at a hundred thousand recommendations; the pages are
read far more often than the data changes. Cached values live under a version: any save or
delete of a recommendation, objective tag, follow-up update, event or objective (in any process:
web, worker or command) moves the shared cache to a new version, so the next page counts afresh.
A bulk write that bypasses model signals (bulk_create, QuerySet.update) calls `invalidate()`.
"""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

VERSION_KEY = "gcm:aggregates:version"
LATEST_UPDATES = 8


def version() -> str:
    """The current version of the aggregates; part of every cached value's key."""
    current = cache.get(VERSION_KEY)
    if current is None:
        current = uuid.uuid4().hex
        # add, not set: of two processes starting a version at once, one wins for both.
        if not cache.add(VERSION_KEY, current, timeout=None):
            current = cache.get(VERSION_KEY) or current
    return current


def _bump():
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def invalidate(**_signal_arguments):
    """Start a new version now, and again once the current transaction commits.

    Now, so this process's next page shows the change; again after the commit, so another
    process that counted the old data while the change was uncommitted does not keep it.
    """
    _bump()
    transaction.on_commit(_bump)


def _cached(name: str, compute):
    key = f"gcm:aggregates:{version()}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=settings.GCM_AGGREGATES_CACHE_SECONDS)
    return value


def objective_status_counts() -> list:
    """The 23 objectives, each with its published and per-status counts."""
    from objectives.models import Objective

    return _cached("objectives", lambda: list(Objective.objects.with_status_counts()))


def home() -> dict:
    """Everything the home page counts: totals and the latest follow-up updates."""
    from consultations.models import Event
    from recommendations.models import FollowUp, Recommendation

    def compute():
        latest = FollowUp.objects.public().select_related("recommendation__event", "addressee")
        return {
            "published_count": Recommendation.objects.published().count(),
            "event_count": Event.objects.count(),
            "latest_updates": list(latest[:LATEST_UPDATES]),
        }

    return {"objectives": objective_status_counts(), **_cached("home", compute)}


def coverage() -> dict:
    """Everything the coverage page counts: per objective, per event, per event and objective."""
    from consultations.models import Event
    from recommendations.models import Recommendation

    def compute():
        published = Recommendation.objects.published()
        return {
            "events": list(Event.objects.with_published_count().filter(published_count__gt=0)),
            "heat": list(published.count_by("event__code", "objective_links__objective__number")),
        }

    return {"objectives": objective_status_counts(), **_cached("coverage", compute)}


def connect():
    """Invalidate on every save or delete of the models the aggregates count."""
    from consultations.models import Event
    from objectives.models import Objective
    from recommendations.models import FollowUp, Recommendation, RecommendationObjective

    for model in (Recommendation, RecommendationObjective, FollowUp, Event, Objective):
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(
                invalidate, sender=model, dispatch_uid=f"aggregates-{model._meta.label}-{name}"
            )
