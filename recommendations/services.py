"""Writes that span several models or must keep derived state consistent."""

import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gcm_tracker.bulk import CHANGED, CREATED, insert_objects, insert_rows, record_history
from objectives.models import GuidingPrinciple, Objective
from recommendations import aggregates, exports
from recommendations.models import (
    Addressee,
    DigestDelivery,
    ExportJob,
    FollowUp,
    Recommendation,
    RecommendationLink,
    RecommendationObjective,
    RepeatProposal,
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


@transaction.atomic
def save_recommendation(
    *,
    recommendation: Recommendation,
    user: AbstractBaseUser | None,
    objective_tags: list[tuple[Objective, bool, str]] | None = None,
    principles: list[GuidingPrinciple] | None = None,
    addressees: list[Addressee] | None = None,
) -> Recommendation:
    """Save a new or edited recommendation and replace whichever tag lists are given; all or nothing.

    `objective_tags` holds (objective, is_primary, source); tags that stay as they were keep who
    tagged them and when. A published recommendation must still be publishable afterwards.
    """
    recommendation._history_user = user
    recommendation.full_clean()
    recommendation.save()
    if objective_tags is not None:
        wanted = {
            objective.pk: (is_primary, source) for objective, is_primary, source in objective_tags
        }
        kept = set()
        for tag in recommendation.objective_links.all():
            if wanted.get(tag.objective_id) == (tag.is_primary, tag.source):
                kept.add(tag.objective_id)
            else:
                tag.delete()
        for objective, is_primary, source in objective_tags:
            if objective.pk not in kept:
                RecommendationObjective.objects.create(
                    recommendation=recommendation,
                    objective=objective,
                    is_primary=is_primary,
                    source=source,
                    tagged_by=user,
                )
    if principles is not None:
        recommendation.principles.set(principles)
    if addressees is not None:
        recommendation.addressees.set(addressees)
    if recommendation.is_published and (errors := recommendation.publication_errors()):
        raise ValidationError({"objectives": errors})
    return recommendation


@dataclass(frozen=True)
class RecommendationEdit:
    """A new or edited recommendation, with whichever of its tag lists are to be replaced."""

    recommendation: Recommendation
    objective_tags: list[tuple[Objective, bool, str]] | None = None
    principles: list[GuidingPrinciple] | None = None
    addressees: list[Addressee] | None = None


# What a bulk write may change of a recommendation; the derived fields follow save()'s rules.
BULK_FIELDS = [
    "short_title",
    "text",
    "language",
    "event",
    "session",
    "speaker",
    "organization",
    "source_location",
    "countries",
    "state",
    "next_review_date",
    "updated_at",
]
BULK_BATCH = 500


@transaction.atomic
def save_unpublished_recommendations(
    *, edits: list[RecommendationEdit], user: AbstractBaseUser | None
) -> None:
    """Save many unpublished recommendations as save_recommendation would, in a few queries.

    Each recommendation must already have passed full_clean (an importer checks every row
    before it writes any). Published ones take save_recommendation, which also tells the
    webhooks; here nobody outside the tracker sees the change, so no signal is sent.
    """
    if published := [e.recommendation.reference for e in edits if e.recommendation.is_published]:
        raise ValueError(f"Published recommendations are saved one by one: {published[:3]}")
    now = timezone.now()
    for edit in edits:
        edit.recommendation.schedule_review()
    new = [edit.recommendation for edit in edits if edit.recommendation.pk is None]
    edited = [edit.recommendation for edit in edits if edit.recommendation.pk is not None]
    # Only recommendations saved before can have tags and relations to replace.
    existing = [recommendation.pk for recommendation in edited]
    insert_objects(new)
    record_history(Recommendation, [r.pk for r in new], history_type=CREATED, user=user, date=now)
    for recommendation in edited:
        recommendation.updated_at = now
    Recommendation.objects.bulk_update(edited, BULK_FIELDS, batch_size=BULK_BATCH)
    record_history(Recommendation, existing, history_type=CHANGED, user=user, date=now)
    _replace_objective_tags(
        {e.recommendation.pk: e.objective_tags for e in edits if e.objective_tags is not None},
        existing=existing,
        user=user,
        now=now,
    )
    for name in ("principles", "addressees"):
        _replace_relations(
            name,
            {e.recommendation.pk: getattr(e, name) for e in edits if getattr(e, name) is not None},
            existing=existing,
        )
    aggregates.invalidate()


def _batches(items: list, size: int = BULK_BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _replace_objective_tags(
    wanted: dict[int, list[tuple[Objective, bool, str]]],
    *,
    existing: list[int],
    user: AbstractBaseUser | None,
    now: datetime,
):
    """Tags that stay as they were keep who tagged them and when, as in save_recommendation."""
    kept, stale = set(), []
    for pks in _batches([pk for pk in existing if pk in wanted]):
        for tag in RecommendationObjective.objects.filter(recommendation_id__in=pks):
            tags = {
                objective.pk: (primary, source)
                for objective, primary, source in wanted[tag.recommendation_id]
            }
            if tags.get(tag.objective_id) == (tag.is_primary, tag.source):
                kept.add((tag.recommendation_id, tag.objective_id))
            else:
                # One by one, so each removal is recorded in the tags' history.
                stale.append(tag)
    for tag in stale:
        tag.delete()
    tagged_at = connection.ops.adapt_datetimefield_value(now)
    created = insert_rows(
        RecommendationObjective,
        ["recommendation_id", "objective_id", "is_primary", "source", "tagged_by_id", "tagged_at"],
        [
            (pk, objective.pk, primary, source, user.pk if user else None, tagged_at)
            for pk, tags in wanted.items()
            for objective, primary, source in tags
            if (pk, objective.pk) not in kept
        ],
        returning=True,
    )
    record_history(RecommendationObjective, created, history_type=CREATED, user=user, date=now)


def _replace_relations(name: str, wanted: dict[int, list], *, existing: list[int]):
    relation = getattr(Recommendation, name)
    through = relation.through
    own, other = relation.field.m2m_field_name(), relation.field.m2m_reverse_field_name()
    for pks in _batches([pk for pk in existing if pk in wanted]):
        through.objects.filter(**{f"{own}_id__in": pks}).delete()
    insert_rows(
        through,
        [f"{own}_id", f"{other}_id"],
        [(pk, item.pk) for pk, items in wanted.items() for item in items],
    )


@transaction.atomic
def delete_recommendation(*, recommendation: Recommendation, user: AbstractBaseUser | None):
    """Delete a recommendation that was never published, recording who did it in its history."""
    if recommendation.published_at is not None:
        raise PermissionDenied(_("A recommendation that was published keeps its reference."))
    recommendation._history_user = user
    recommendation.delete()


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


PROGRESS_EVERY = 500


def build_export(*, job: ExportJob) -> ExportJob:
    """Write the published data set in the job's format to a file, recording progress as it goes.

    Running it again for a job that is ready does nothing; for one that was interrupted, it
    starts the file afresh, so a redelivered task finishes the job.
    """
    if job.state == ExportJob.State.READY:
        return job
    recommendations = Recommendation.objects.published().order_by("reference")
    total = recommendations.count()
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportJob.State.RUNNING, rows_total=total, rows_done=0, error=""
    )

    def counted(table):
        for done, cells in enumerate(table, start=1):
            if done % PROGRESS_EVERY == 0:
                ExportJob.objects.filter(pk=job.pk).update(rows_done=done)
            yield cells

    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    name = f"exports/gcm-tracker-{stamp}-{job.pk}.{'zip' if job.format == ExportJob.Format.JSON else job.format}"
    storage = job.file.storage
    base_url = settings.GCM_SITE_URL
    try:
        with tempfile.NamedTemporaryFile(suffix=f".{job.format}") as spool:
            if job.format == ExportJob.Format.CSV:
                with open(spool.name, "w", encoding="utf-8", newline="") as text:
                    exports.write_csv(counted(exports.rows(recommendations, base_url)), text)
            elif job.format == ExportJob.Format.XLSX:
                exports.write_xlsx(counted(exports.rows(recommendations, base_url)), spool.name)
            else:
                exports.write_json_archive(recommendations, spool.name, base_url, progress=counted)
            with open(spool.name, "rb") as built:
                saved_name = storage.save(name, File(built))
    except Exception as exc:
        ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.State.FAILED, error=str(exc))
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportJob.State.READY,
        rows_done=total,
        file=saved_name,
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def request_export(*, format: str, requested_by: AbstractBaseUser | None) -> ExportJob:
    """Queue an export of the published data set; the task starts once this is committed."""
    from recommendations.tasks import build_export as build_export_task

    job = ExportJob(format=format, requested_by=requested_by)
    job.full_clean()
    job.save()
    transaction.on_commit(lambda: build_export_task.delay(job.pk))
    return job


LINK_PERMISSION = "recommendations.add_recommendationlink"


def _decidable(proposal: RepeatProposal, user: AbstractBaseUser | None) -> RepeatProposal:
    """The proposal, locked, once `user` may decide on it and nobody has yet."""
    if user is None or not user.has_perm(LINK_PERMISSION):
        raise PermissionDenied(
            _("Only curators can decide whether a recommendation repeats another.")
        )
    locked = RepeatProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.state != RepeatProposal.State.PROPOSED:
        raise ValidationError(
            _("This proposal was already %(state)s.")
            % {"state": locked.get_state_display().lower()}
        )
    return locked


def _decide(locked: RepeatProposal, proposal: RepeatProposal, state: str, user: AbstractBaseUser):
    locked.state = state
    locked.decided_by = user
    locked.decided_at = timezone.now()
    locked.full_clean()
    locked.save()
    proposal.refresh_from_db()


@transaction.atomic
def accept_repeat_proposal(
    *, proposal: RepeatProposal, user: AbstractBaseUser | None
) -> RecommendationLink:
    """Link the later recommendation to the earlier one as a repeat, on a curator's word."""
    locked = _decidable(proposal, user)
    link = RecommendationLink.objects.filter(
        from_recommendation=locked.later,
        to_recommendation=locked.earlier,
        kind=RecommendationLink.Kind.REPEATS,
    ).first()
    # A curator may have linked the pair by hand meanwhile; that link stands as it is.
    if link is None:
        link = RecommendationLink(
            from_recommendation=locked.later,
            to_recommendation=locked.earlier,
            kind=RecommendationLink.Kind.REPEATS,
            created_by=user,
        )
        link._history_user = user
        link.full_clean()
        link.save()
    _decide(locked, proposal, RepeatProposal.State.ACCEPTED, user)
    return link


@transaction.atomic
def reject_repeat_proposal(
    *, proposal: RepeatProposal, user: AbstractBaseUser | None
) -> RepeatProposal:
    """Record that a curator judged the pair not to be the same ask; nothing is linked."""
    locked = _decidable(proposal, user)
    _decide(locked, proposal, RepeatProposal.State.REJECTED, user)
    return proposal
