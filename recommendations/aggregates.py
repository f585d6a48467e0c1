"""The expensive aggregates of the site, cached until the data changes.

Counting every published recommendation by objective and status, by event, and by event and
objective takes hundreds of milliseconds at a hundred thousand recommendations, and so do the
exact per-value counts of a list's filters (an objective's ten thousand recommendations by event,
speaker, addressee...); the pages are read far more often than the data changes. Cached values
live under a version: once a save or delete of anything counted or named there (a
recommendation, its objective tags, addressees, principles or translations, a follow-up update,
an event, session, person, participation, organization, addressee or objective) is committed (in
any process: web, worker or command), the shared cache moves to a new version and the next page
counts afresh; the transaction making the change counts afresh at once. A bulk write that
bypasses model signals (bulk_create, QuerySet.update) calls `invalidate()`.
"""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "gcm:aggregates:version"
# (outermost atomic block, changes made in it) of a connection's open transaction.
PENDING = "gcm_aggregates_pending"
LATEST_UPDATES = 8


def version() -> str:
    """The current version of the aggregates; part of every cached value's key."""
    current = cache.get(VERSION_KEY)
    if current is None:
        current = uuid.uuid4().hex
        # add, not set: of two processes starting a version at once, one wins for both.
        if not cache.add(VERSION_KEY, current, timeout=None):
            current = cache.get(VERSION_KEY) or current
    pending = _pending()
    if pending:
        # This transaction changed the data: its own reads count afresh, under keys of their own.
        return f"{current}.{pending}"
    return current


def _pending() -> int:
    """How many changes the open transaction made (0 outside one, or after a rollback)."""
    connection = transaction.get_connection()
    outermost, count = getattr(connection, PENDING, (None, 0))
    if not connection.atomic_blocks or outermost is not connection.atomic_blocks[0]:
        return 0
    return count


def _bump():
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def _committed():
    setattr(transaction.get_connection(), PENDING, (None, 0))
    _bump()


def invalidate(**_signal_arguments):
    """Count afresh: at once outside a transaction; inside one, for its own reads at once and for
    everyone when it commits.

    The new shared version waits for the commit, so no other process counts the old data again
    under it; one commit callback serves all the rows a transaction (an import) saves.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _bump()
        return
    setattr(connection, PENDING, (connection.atomic_blocks[0], _pending() + 1))
    # A rolled-back savepoint takes its callbacks with it; then the next change registers anew.
    if not any(callback is _committed for _ids, callback, _robust in connection.run_on_commit):
        transaction.on_commit(_committed)


def cached(name: str, compute):
    """`compute()`, counted once per version of the data and shared through the cache."""
    key = f"gcm:aggregates:{version()}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=settings.GCM_AGGREGATES_CACHE_SECONDS)
    return value


_cached = cached


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
    """Invalidate on every save or delete of the models the aggregates count or name."""
    from consultations.models import Event, Organization, Participation, Person, Session
    from objectives.models import Objective
    from recommendations.models import (
        Addressee,
        FollowUp,
        Recommendation,
        RecommendationObjective,
        RecommendationTranslation,
    )

    models = (
        Recommendation,
        RecommendationObjective,
        RecommendationTranslation,
        FollowUp,
        Event,
        Session,
        Person,
        Participation,
        Organization,
        Addressee,
        Objective,
    )
    for model in models:
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(
                invalidate, sender=model, dispatch_uid=f"aggregates-{model._meta.label}-{name}"
            )
    # A recommendation's addressees and principles are filtered on and counted too.
    for relation in (Recommendation.addressees, Recommendation.principles):
        m2m_changed.connect(
            _relations_changed,
            sender=relation.through,
            dispatch_uid=f"aggregates-{relation.through._meta.label}-m2m",
        )


def _relations_changed(action: str, **_signal_arguments):
    if action in ("post_add", "post_remove", "post_clear"):
        invalidate()
