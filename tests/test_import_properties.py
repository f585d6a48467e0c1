"""Whatever a file holds, the importer answers with a plan or a refusal and never half-writes.

Hypothesis feeds random bytes, random text and rows of hostile cells (formulas, control
characters, huge cells, wrong types, near misses of valid values) in CSV and XLSX. For each file:
planning never raises and writes nothing; applying either succeeds, after which importing the
same file again changes nothing, or is refused, leaving the database as it was.
"""

import datetime
import string

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from recommendations.imports import ImportRejected, apply_import, plan_import
from recommendations.sheets import SHEETS
from tests.factories.consultations import (
    EventFactory,
    OrganizationFactory,
    PersonFactory,
    SessionFactory,
)
from tests.factories.recommendations import RecommendationFactory
from tests.factories.sheets import (  # noqa: F401  (compact is a fixture)
    compact,
    csv_file,
    database_state,
    xlsx_file,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("compact")]

MODEST = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# Values that import, so that most files get far and some succeed.
VALID = {
    "reference": [f"TEST2024-P1-{number:02d}" for number in range(1, 9)],
    "short_title": ["Open regular pathways", "Regularise"],
    "text": ["States should open regular pathways.", "- and = and @ as text"],
    "language": ["", "en", "Spanish"],
    "event": ["TEST2024", "test2024", "NEW2025"],
    "event_title": ["A new forum"],
    "year": ["", "2024"],
    "session": ["", "P1", "p1", "P2"],
    "session_title": ["Panel"],
    "session_format": ["", "panel", "Round table"],
    "speaker": ["", "Ana Pérez", "ANA PEREZ", "ana-perez", "Nuevo Orador", "nuevo  orador"],
    "person": ["Ana Pérez", "José Martínez", "jose martinez"],
    "organization": ["", "Red Migrante", "RED MIGRANTE", "RM", "Otra Red"],
    "organization_kind": ["", "civil_society", "Government"],
    "primary_objective": ["", "7"],
    "objectives": ["", "5; 7", "7,5"],
    "objective_sources": [""],
    "principles": ["", "4", "4; 4"],
    "addressees": ["", "States", "states; Parliaments"],
    "countries": ["", "MX", "mx; GT", "MEX", "484"],
    "state": ["", "draft", "in_review", "published"],
    "current_status": ["", "in_progress"],
    "status_date": ["", "2024-03-01"],
    "kind": ["forum", "Webinar"],
    "start_date": ["", "2024-03-01"],
    "end_date": ["", "2024-03-02"],
    "country": ["", "PA", "pa"],
    "organizers": ["", "Red Migrante; Otra Red"],
    "source_url": ["", "https://example.org/report"],
    "website": ["", "https://example.org"],
    "starts_at": ["", "2024-03-01T10:00:00-04:00"],
    "ends_at": ["", "2024-03-01T16:00:00Z"],
    "time_zone": ["", "America/Panama"],
    "guiding_questions": ["", "Who decides?\nWho pays?"],
    "role": ["panelist", "Moderator", "chat_commenter"],
    "order": ["", "1", "2"],
}
# Where a sheet needs a value that already exists, or any value at all.
VALID_IN = {
    "organizations": {"organization": ["Red Migrante", "RED MIGRANTE", "Otra Red"]},
    "events": {"event": ["TEST2024", "NEW2025", "NEW2026", "OTHER1"]},
    "sessions": {"event": ["TEST2024", "test2024"], "session": ["P1", "p1", "P2"]},
    "participations": {"event": ["TEST2024"], "session": ["P1", "p1"]},
}
# Values that nearly pass: unknown numbers, codes, choices and dates out of range.
NEAR_MISSES = {
    "reference": ["test2024-p1-01", "TEST2024", ""],
    "event": ["new 2025", "", "X" * 31],
    "session": ["T9", "S" * 21],
    "primary_objective": ["27", "0", "x"],
    "objectives": ["5; 27", "x", "5;;"],
    "objective_sources": ["5:in_source", "7:machine", "5", "9:curator"],
    "principles": ["11", "0"],
    "countries": ["XX", "Mexico"],
    "state": ["Published", "gone"],
    "current_status": ["Implemented", "no_information", "done"],
    "status_date": ["2024-02-30", "9999-12-31", "0001-01-01", "1/3/2024"],
    "starts_at": ["2024-03-01T10:00", "0001-01-01T00:00+01:00", "9999-12-31T23:59-14:00"],
    "time_zone": ["Mars/Olympus"],
    "role": ["singer", ""],
    "order": ["-1", "99999999"],
    "kind": ["party", ""],
    "start_date": ["2024-13-01", "2025-01-01"],
    "website": ["not a site"],
    "short_title": ["", "x" * 201],
}
TEXT = st.text(max_size=40)
HOSTILE = st.one_of(
    TEXT,
    st.builds(
        lambda prefix, rest: prefix + rest,
        st.sampled_from(["=", "+", "-", "@", "'=", "'+", "\t", "'\t", "=cmd|' /C calc'!"]),
        TEXT,
    ),
    st.sampled_from(["x" * 100_001, "\x00", "\x07bell", "line\r\nbreak", "\ufeff", "\ufffe"]),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.dates().map(datetime.date.isoformat),
)


def spoilt(column: str):
    """A value for `column` that may well not import."""
    return st.one_of(st.sampled_from(NEAR_MISSES.get(column, ["", "?"])), HOSTILE)


def row_of(kind: str):
    """A row of valid values with up to three cells spoilt."""
    columns = SHEETS[kind]
    values = {**VALID, **VALID_IN.get(kind, {})}
    valid = st.fixed_dictionaries(
        {column: st.sampled_from(values.get(column, ["", "Some text"])) for column in columns}
    )
    spoils = st.lists(
        st.sampled_from(columns).flatmap(lambda c: st.tuples(st.just(c), spoilt(c))), max_size=3
    )
    return st.builds(lambda row, changes: {**_coherent(row), **dict(changes)}, valid, spoils)


def _coherent(row: dict) -> dict:
    """Valid values that also agree: a status with its date, a primary among the objectives."""
    if "current_status" in row:
        row["status_date"] = "2024-03-01" if row["current_status"] else ""
    if row.get("objectives"):
        row["primary_objective"] = "7"
    elif row.get("state") == "published":
        row["state"] = "draft"
    return row


SHEET = st.sampled_from(list(SHEETS)).flatmap(
    lambda kind: st.tuples(st.just(kind), st.lists(row_of(kind), min_size=1, max_size=4))
)


@pytest.fixture
def tracker(curator, rapporteur):
    """A small tracker for the files to meet, and who may import them."""
    event = EventFactory(code="TEST2024", title="Test consultation")
    SessionFactory(event=event, code="P1", title="Panel")
    RecommendationFactory(reference="TEST2024-P1-01", event=event, published=True)
    PersonFactory(name="Ana Pérez", slug="ana-perez")
    OrganizationFactory(name="Red Migrante", slug="red-migrante", acronym="RM", kind="")
    # Every example is rolled back, so each starts from this state.
    return {"system": None, "curator": curator, "rapporteur": rapporteur}, database_state()


def attempt(tracker, data: bytes, filename: str, who: str = "system") -> None:
    """Plan and apply one file inside a savepoint that is rolled back afterwards."""
    users, before = tracker
    user = users[who]
    with transaction.atomic():
        planned = plan_import(data, filename=filename, user=user)
        # A file refused before its rows were run never reached the database.
        if planned.sheets:
            assert database_state() == before, "a dry run wrote something"
        if planned.ok:
            apply_import(planned, user=user)
            again = plan_import(data, filename=filename, user=user)
            assert again.ok, again.problems
            assert not again.created and not again.updated, again.changes
        else:
            with pytest.raises(ImportRejected):
                apply_import(planned, user=user)
            assert database_state() == before, "a refused import wrote something"
        transaction.set_rollback(True)


@MODEST
@given(data=st.binary(max_size=3000), extension=st.sampled_from([".csv", ".xlsx"]))
def test_random_bytes_never_raise_and_never_write(tracker, data, extension):
    attempt(tracker, data, f"upload{extension}")


@MODEST
@given(
    text=st.one_of(
        st.text(max_size=500),
        st.text(max_size=300).map(lambda body: ",".join(SHEETS["recommendations"]) + "\n" + body),
    )
)
def test_random_text_as_csv_never_raises_and_never_writes(tracker, text):
    attempt(tracker, text.encode("utf-8", "surrogatepass"), "upload.csv")


@MODEST
@given(sheet=SHEET, who=st.sampled_from(["system", "curator", "rapporteur"]))
def test_hostile_rows_in_csv_import_whole_or_not_at_all(tracker, sheet, who):
    kind, rows = sheet
    attempt(tracker, csv_file(rows, SHEETS[kind]), f"{kind}.csv", who)


def _typed(value: str):
    """The value as a workbook might hold it: a number, a date or text it can store."""
    if value.lstrip("-").isdecimal() and len(value) < 15:
        return int(value)
    if len(value) == 10:
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            pass
    return ILLEGAL_CHARACTERS_RE.sub("", value)


@MODEST
@given(sheets=st.lists(SHEET, min_size=1, max_size=3), who=st.sampled_from(["system", "curator"]))
def test_hostile_workbooks_import_whole_or_not_at_all(tracker, sheets, who):
    workbook = {
        f"{kind} {position}": (
            SHEETS[kind],
            [[_typed(row[column]) for column in SHEETS[kind]] for row in rows],
        )
        for position, (kind, rows) in enumerate(sheets)
    }
    attempt(tracker, xlsx_file(workbook), "upload.xlsx", who)


@MODEST
@given(
    header=st.lists(
        st.one_of(st.sampled_from(SHEETS["recommendations"]), st.text(string.ascii_lowercase)),
        max_size=30,
    ),
    rows=st.lists(st.lists(HOSTILE, max_size=30), max_size=3),
)
def test_ragged_sheets_with_any_header_never_raise(tracker, header, rows):
    text = "\n".join(",".join(cells) for cells in [header, *rows])
    attempt(tracker, text.encode("utf-8", "surrogatepass"), "upload.csv")
