"""Loads the curated seed corpus in fixtures/ (see fixtures/README.md) in one transaction.

Every record is matched by its natural key (number, slug, code, reference), and a record is
saved only when a field differs, so loading twice changes nothing, not even updated_at.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from consultations.models import (
    Event,
    GuidingQuestion,
    Organization,
    Participation,
    Person,
    Session,
)
from objectives.models import GuidingPrinciple, Objective
from objectives.translation import LANGUAGE_CODES
from recommendations.models import Addressee, Recommendation, RecommendationObjective

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


class SeedError(Exception):
    """The seed corpus is inconsistent; the message names the file and the record."""


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict[str, int], model: type[models.Model]):
        name = model._meta.verbose_name_plural
        bucket[str(name)] = bucket.get(str(name), 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SeedError(f"{path.name}: cannot read it as JSON ({exc}).") from exc


def _upsert(model, lookup: dict, values: dict, report: SeedReport, where: str):
    """Create or update one row, saving only when something differs."""
    obj = model.objects.filter(**lookup).first()
    created = obj is None
    if created:
        obj = model(**lookup)
    changed = created
    for name, value in values.items():
        field = model._meta.get_field(name)
        if field.is_relation:
            # Compare ids: reading an unset relation on a new row raises.
            current, wanted = getattr(obj, field.attname), value.pk if value is not None else None
        else:
            current, wanted = getattr(obj, name), value
        if current != wanted:
            setattr(obj, name, value)
            changed = True
    if changed:
        try:
            obj.full_clean(validate_unique=created)
        except ValidationError as exc:
            raise SeedError(f"{where}: {exc.message_dict}") from exc
        obj.save()
        report.count(report.created if created else report.updated, model)
    return obj


def _set_m2m(manager, objects, report: SeedReport, owner):
    wanted = {o.pk for o in objects}
    if set(manager.values_list("pk", flat=True)) != wanted:
        manager.set(objects)
        report.count(report.updated, type(owner))


def _translations(entry: dict, key: str, where: str) -> dict:
    texts = entry.get(key) or {}
    if not texts.get("en"):
        raise SeedError(f"{where}: {key} needs at least an English text.")
    return {f"{key}_{code}": texts.get(code, "") for code in LANGUAGE_CODES}


def _date(value, where: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SeedError(f"{where}: {value!r} is not a date (YYYY-MM-DD).") from None


def _datetime(value, where: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise SeedError(f"{where}: {value!r} is not an ISO 8601 date and time.") from None
    if timezone.is_naive(parsed):
        raise SeedError(f"{where}: {value!r} needs the offset the document gives, e.g. -04:00.")
    return parsed


def _check_no_email(where: str, **texts):
    for name, text in texts.items():
        if text and EMAIL.search(text):
            raise SeedError(f"{where}: {name} contains an e-mail address; keep it private.")


def load_objectives(data: dict, report: SeedReport):
    for entry in data.get("objectives", []):
        where = f"objectives.json objective {entry.get('number')}"
        values = {"paragraph": entry.get("paragraph")}
        for key in ("short_title", "title", "summary"):
            values.update(_translations(entry, key, where))
        _upsert(Objective, {"number": entry.get("number")}, values, report, where)
    for entry in data.get("principles", []):
        where = f"objectives.json principle {entry.get('number')}"
        values = {"slug": entry.get("slug", "")}
        for key in ("name", "description"):
            values.update(_translations(entry, key, where))
        _upsert(GuidingPrinciple, {"number": entry.get("number")}, values, report, where)


def _merge_directory(files: dict[str, dict]) -> dict[str, dict[str, dict]]:
    """Organizations, people and addressees of all files, merged by slug; conflicts are errors."""
    merged: dict[str, dict[str, dict]] = {"organizations": {}, "people": {}, "addressees": {}}
    for filename, data in files.items():
        for kind, entries in merged.items():
            for entry in data.get(kind, []):
                slug = entry.get("slug")
                if not slug:
                    raise SeedError(f"{filename}: an entry in {kind} has no slug.")
                known = entries.setdefault(slug, {"_file": filename})
                for key, value in entry.items():
                    if value in ("", None, []):
                        continue
                    if known.get(key) not in (None, "", value):
                        raise SeedError(
                            f"{filename}: {kind} {slug!r} has {key}={value!r}, but "
                            f"{known['_file']} says {known[key]!r}."
                        )
                    known[key] = value
    return merged


def _lookup(index: dict, slug, kind: str, where: str):
    if slug in (None, ""):
        return None
    try:
        return index[slug]
    except KeyError:
        raise SeedError(f"{where}: unknown {kind} {slug!r}.") from None


def load_directory(directory: dict, report: SeedReport):
    orgs, people, addressees = {}, {}, {}
    for slug, entry in directory["organizations"].items():
        where = f"{entry['_file']} organization {slug}"
        values = {
            "name": entry.get("name", ""),
            "acronym": entry.get("acronym", ""),
            "kind": entry.get("kind", ""),
            "country": entry.get("country", ""),
            "website": entry.get("website", ""),
        }
        _check_no_email(where, name=values["name"])
        orgs[slug] = _upsert(Organization, {"slug": slug}, values, report, where)
    for slug, entry in directory["people"].items():
        where = f"{entry['_file']} person {slug}"
        values = {
            "name": entry.get("name", ""),
            "affiliation": entry.get("affiliation", ""),
            "organization": _lookup(orgs, entry.get("organization"), "organization", where),
            "email": entry.get("email", ""),
        }
        _check_no_email(where, name=values["name"], affiliation=values["affiliation"])
        people[slug] = _upsert(Person, {"slug": slug}, values, report, where)
    for slug, entry in directory["addressees"].items():
        where = f"{entry['_file']} addressee {slug}"
        values = {
            "name": entry.get("name", ""),
            "organization": _lookup(orgs, entry.get("organization"), "organization", where),
        }
        addressees[slug] = _upsert(Addressee, {"slug": slug}, values, report, where)
    return orgs, people, addressees


def load_event(filename: str, data: dict, directory, objectives, principles, report: SeedReport):
    orgs, people, addressees = directory
    spec = data.get("event") or {}
    code = spec.get("code")
    where = f"{filename} event {code}"
    _check_no_email(where, description=spec.get("description"))
    event = _upsert(
        Event,
        {"code": code},
        {
            "title": spec.get("title", ""),
            "kind": spec.get("kind", ""),
            "start_date": _date(spec.get("start_date"), where),
            "end_date": _date(spec.get("end_date"), where),
            "city": spec.get("city", ""),
            "country": spec.get("country", ""),
            "description": spec.get("description", ""),
            "language": spec.get("language", ""),
            "source_document": spec.get("source_document", ""),
            "source_url": spec.get("source_url", ""),
        },
        report,
        where,
    )
    _set_m2m(
        event.organizers,
        [_lookup(orgs, slug, "organization", where) for slug in spec.get("organizers", [])],
        report,
        event,
    )
    sessions = {}
    for entry in spec.get("sessions", []):
        session_where = f"{where} session {entry.get('code')}"
        _check_no_email(
            session_where,
            description=entry.get("description"),
            rapporteur_summary=entry.get("rapporteur_summary"),
        )
        session = _upsert(
            Session,
            {"event": event, "code": entry.get("code")},
            {
                "order": entry.get("order", 0),
                "title": entry.get("title", ""),
                "format": entry.get("format", ""),
                "starts_at": _datetime(entry.get("starts_at"), session_where),
                "ends_at": _datetime(entry.get("ends_at"), session_where),
                "time_zone": entry.get("time_zone", ""),
                "description": entry.get("description", ""),
                "rapporteur_summary": entry.get("rapporteur_summary", ""),
            },
            report,
            session_where,
        )
        sessions[session.code] = session
        _set_m2m(
            session.objectives,
            [
                _lookup(objectives, n, "objective", session_where)
                for n in entry.get("objectives", [])
            ],
            report,
            session,
        )
        questions = entry.get("guiding_questions", [])
        if list(session.guiding_questions.values_list("text", flat=True)) != questions:
            session.guiding_questions.all().delete()
            GuidingQuestion.objects.bulk_create(
                GuidingQuestion(session=session, order=i, text=text)
                for i, text in enumerate(questions, start=1)
            )
            report.count(report.updated, Session)
        for order, part in enumerate(entry.get("participations", []), start=1):
            part_where = f"{session_where} participation {part.get('person')}"
            _check_no_email(part_where, notes=part.get("notes"))
            _upsert(
                Participation,
                {
                    "session": session,
                    "person": _lookup(people, part.get("person"), "person", part_where),
                    "role": part.get("role"),
                },
                {
                    "organization": _lookup(
                        orgs, part.get("organization"), "organization", part_where
                    ),
                    "order": order,
                    "notes": part.get("notes", ""),
                },
                report,
                part_where,
            )
    for entry in spec.get("recommendations", []):
        load_recommendation(
            filename, entry, event, sessions, directory, objectives, principles, report
        )
    return event


def load_recommendation(
    filename, entry, event, sessions, directory, objectives, principles, report
):
    orgs, people, addressees = directory
    reference = entry.get("reference")
    where = f"{filename} recommendation {reference}"
    _check_no_email(where, text=entry.get("text"), short_title=entry.get("short_title"))
    tags = entry.get("objectives", [])
    if not tags:
        raise SeedError(f"{where}: needs at least one objective.")
    if sum(bool(tag.get("primary")) for tag in tags) != 1:
        raise SeedError(f"{where}: exactly one objective must be primary.")
    recommendation = _upsert(
        Recommendation,
        {"reference": reference},
        {
            "event": event,
            "short_title": entry.get("short_title", ""),
            "text": entry.get("text", ""),
            "language": entry.get("language", "en"),
            "session": _lookup(sessions, entry.get("session"), "session", where),
            "speaker": _lookup(people, entry.get("speaker"), "person", where),
            "organization": _lookup(orgs, entry.get("organization"), "organization", where),
            "source_location": entry.get("source_location", ""),
            "countries": entry.get("countries", []),
            "state": Recommendation.State.PUBLISHED,
        },
        report,
        where,
    )
    if recommendation.published_at is None:
        recommendation.published_at = timezone.now()
        recommendation.save(update_fields=["published_at"])
    wanted = {}
    for tag in tags:
        objective = _lookup(objectives, tag.get("number"), "objective", where)
        wanted[objective.pk] = (bool(tag.get("primary")), tag.get("source", "curator"))
    existing = {link.objective_id: link for link in recommendation.objective_links.all()}
    for objective_id, link in existing.items():
        if objective_id not in wanted or (link.is_primary, link.source) != wanted[objective_id]:
            link.delete()
            report.count(report.updated, Recommendation)
    # Non-primary first, so the one-primary constraint holds at every step.
    for objective_id, (is_primary, source) in sorted(wanted.items(), key=lambda item: item[1][0]):
        link = existing.get(objective_id)
        if link is None or (link.is_primary, link.source) != (is_primary, source):
            tag = RecommendationObjective(
                recommendation=recommendation,
                objective_id=objective_id,
                is_primary=is_primary,
                source=source,
            )
            try:
                tag.full_clean(exclude=["recommendation", "objective"])
            except ValidationError as exc:
                raise SeedError(f"{where}: {exc.message_dict}") from exc
            tag.save()
    _set_m2m(
        recommendation.principles,
        [_lookup(principles, n, "principle", where) for n in entry.get("principles", [])],
        report,
        recommendation,
    )
    _set_m2m(
        recommendation.addressees,
        [_lookup(addressees, slug, "addressee", where) for slug in entry.get("addressees", [])],
        report,
        recommendation,
    )
    return recommendation


@transaction.atomic
def load_seed(*, fixtures_dir: Path = FIXTURES_DIR) -> SeedReport:
    """Load objectives.json and events/*.json; all of it or, on any error, none of it."""
    report = SeedReport()
    objectives_file = fixtures_dir / "objectives.json"
    if not objectives_file.exists():
        raise SeedError(f"{objectives_file} is missing.")
    load_objectives(_read(objectives_file), report)
    objectives = {o.number: o for o in Objective.objects.all()}
    principles = {p.number: p for p in GuidingPrinciple.objects.all()}
    files = {path.name: _read(path) for path in sorted((fixtures_dir / "events").glob("*.json"))}
    directory = load_directory(_merge_directory(files), report)
    references = {}
    for filename, data in files.items():
        for entry in (data.get("event") or {}).get("recommendations", []):
            ref = entry.get("reference")
            if ref in references:
                raise SeedError(f"{filename}: reference {ref} is also used in {references[ref]}.")
            references[ref] = filename
        load_event(filename, data, directory, objectives, principles, report)
    return report
