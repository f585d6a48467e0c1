"""The spreadsheet formats of the directory, events, sessions and participations.

They stand beside the recommendations' format (recommendations/exports.py).

Each kind has its column list, a row() for one record and a rows() that reads in chunks; the
importer reads the same columns back, so a file written here, edited and uploaded, round-trips.
Cells follow recommendations/exports.py: "; " between values, formulas neutralised.

The people and participations sheets name chat commenters, who are never public: these sheets are
for curators. No sheet holds anybody's private contact details.
"""

import csv
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from openpyxl import Workbook

from consultations.models import Event, Organization, Participation, Person, Session
from recommendations import exports

ORGANIZATION_COLUMNS = ["organization", "acronym", "organization_kind", "country", "website"]
PERSON_COLUMNS = ["person", "affiliation", "organization"]
EVENT_COLUMNS = [
    "event",
    "event_title",
    "kind",
    "start_date",
    "end_date",
    "city",
    "country",
    "language",
    "organizers",
    "source_document",
    "source_url",
    "description",
]
SESSION_COLUMNS = [
    "event",
    "session",
    "order",
    "session_title",
    "session_format",
    "starts_at",
    "ends_at",
    "time_zone",
    "objectives",
    "description",
    "rapporteur_summary",
    "guiding_questions",
]
PARTICIPATION_COLUMNS = [
    "event",
    "session",
    "person",
    "role",
    "organization",
    "order",
    "notes",
]
# Questions may hold "; ", so each question takes a line of its own in the cell.
QUESTION_SEPARATOR = "\n"
# The sheets of a full workbook, in the order an import must read them.
SHEETS = {
    "organizations": ORGANIZATION_COLUMNS,
    "people": PERSON_COLUMNS,
    "events": EVENT_COLUMNS,
    "sessions": SESSION_COLUMNS,
    "participations": PARTICIPATION_COLUMNS,
    "recommendations": exports.COLUMNS,
}


def _cells(values: list) -> list[str]:
    return [exports.neutralise("" if value is None else str(value)) for value in values]


def _iso(value) -> str:
    return value.isoformat() if value else ""


def _local(session: Session, moment):
    return (
        moment.astimezone(ZoneInfo(session.time_zone)) if moment and session.time_zone else moment
    )


def organization_row(organization: Organization) -> list[str]:
    """One organization as cells in ORGANIZATION_COLUMNS order."""
    return _cells(
        [
            organization.name,
            organization.acronym,
            organization.kind,
            organization.country.code or "",
            organization.website,
        ]
    )


def person_row(person: Person) -> list[str]:
    """One person's public details as cells in PERSON_COLUMNS order."""
    organization = person.organization
    return _cells([person.name, person.affiliation, organization.name if organization else ""])


def event_row(event: Event) -> list[str]:
    """One event as cells in EVENT_COLUMNS order."""
    organizers = sorted(event.organizers.all(), key=lambda organization: organization.name)
    return _cells(
        [
            event.code,
            event.title,
            event.kind,
            _iso(event.start_date),
            _iso(event.end_date),
            event.city,
            event.country.code or "",
            event.language,
            exports.SEPARATOR.join(organization.name for organization in organizers),
            event.source_document,
            event.source_url,
            event.description,
        ]
    )


def session_row(session: Session) -> list[str]:
    """One session as cells in SESSION_COLUMNS order; times in the session's own time zone."""
    numbers = sorted(objective.number for objective in session.objectives.all())
    questions = sorted(session.guiding_questions.all(), key=lambda q: (q.order, q.pk))
    return _cells(
        [
            session.event.code,
            session.code,
            session.order,
            session.title,
            session.format,
            _iso(_local(session, session.starts_at)),
            _iso(_local(session, session.ends_at)),
            session.time_zone,
            exports.SEPARATOR.join(str(number) for number in numbers),
            session.description,
            session.rapporteur_summary,
            QUESTION_SEPARATOR.join(question.text for question in questions),
        ]
    )


def participation_row(participation: Participation) -> list[str]:
    """One participation as cells in PARTICIPATION_COLUMNS order."""
    organization = participation.organization
    return _cells(
        [
            participation.session.event.code,
            participation.session.code,
            participation.person.name,
            participation.role,
            organization.name if organization else "",
            participation.order,
            participation.notes,
        ]
    )


def organization_rows(queryset: QuerySet) -> Iterator[list[str]]:
    """Rows for every organization in `queryset`, read in chunks so memory stays flat."""
    for organization in queryset.iterator(chunk_size=exports.CHUNK_SIZE):
        yield organization_row(organization)


def person_rows(queryset: QuerySet) -> Iterator[list[str]]:
    """Rows for every person in `queryset`, read in chunks."""
    for person in queryset.select_related("organization").iterator(chunk_size=exports.CHUNK_SIZE):
        yield person_row(person)


def event_rows(queryset: QuerySet) -> Iterator[list[str]]:
    """Rows for every event in `queryset`, read in chunks so memory stays flat."""
    for event in queryset.prefetch_related("organizers").iterator(chunk_size=exports.CHUNK_SIZE):
        yield event_row(event)


def session_rows(queryset: QuerySet) -> Iterator[list[str]]:
    """Rows for every session in `queryset`, read in chunks."""
    queryset = queryset.select_related("event").prefetch_related("objectives", "guiding_questions")
    for session in queryset.iterator(chunk_size=exports.CHUNK_SIZE):
        yield session_row(session)


def participation_rows(queryset: QuerySet) -> Iterator[list[str]]:
    """Rows for every participation in `queryset`, read in chunks."""
    queryset = queryset.select_related("session__event", "person", "organization")
    for participation in queryset.iterator(chunk_size=exports.CHUNK_SIZE):
        yield participation_row(participation)


def write_sheet_csv(columns: list[str], table: Iterable[list[str]], target) -> None:
    """Write one sheet as CSV to `target`, a text file opened with newline=""."""
    target.write("\ufeff")  # So spreadsheet programs read the file as UTF-8.
    writer = csv.writer(target)
    writer.writerow(columns)
    writer.writerows(table)


def write_workbook(tables: dict[str, Iterable[list[str]]], target) -> None:
    """Write an XLSX workbook with one sheet per kind named in `tables`, in SHEETS order."""
    workbook = Workbook(write_only=True)
    for name, columns in SHEETS.items():
        if name in tables:
            sheet = workbook.create_sheet(name)
            sheet.append(columns)
            for cells in tables[name]:
                sheet.append(cells)
    workbook.save(target)


def full_tables(recommendations: QuerySet, base_url: str = "") -> dict[str, Iterator[list[str]]]:
    """The whole directory, every event, session and participation, and the given
    recommendations, as tables."""
    return {
        "organizations": organization_rows(Organization.objects.order_by("name", "slug")),
        "people": person_rows(Person.objects.order_by("name", "slug")),
        "events": event_rows(Event.objects.order_by("code")),
        "sessions": session_rows(Session.objects.order_by("event__code", "order", "code")),
        "participations": participation_rows(
            Participation.objects.order_by("session__event__code", "session__code", "order", "id")
        ),
        "recommendations": exports.rows(recommendations.order_by("reference"), base_url),
    }
