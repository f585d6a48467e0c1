"""Imports spreadsheets in the tracker's own formats, from CSV or XLSX, all or nothing.

A sheet is one of four kinds, told apart by its header row: recommendations (the columns of
recommendations/exports.py) and events, sessions and participations (recommendations/sheets.py),
so a file downloaded from the tracker, edited and uploaded again, round-trips. docs/import-format.md
describes every column and rule.

`plan_import` reads and checks the file, then runs the whole import inside a transaction that is
always rolled back: the plan says exactly what `apply_import` will do, row errors included.
`apply_import` runs it again in one transaction and keeps it only when no row fails.
"""

import csv
import functools
import io
import re
import unicodedata
import warnings
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import PurePath
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import DatabaseError, models, transaction
from django.db.models import Prefetch
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from django_countries import countries
from django_countries.fields import CountryField
from openpyxl import load_workbook

from consultations.models import (
    Event,
    GuidingQuestion,
    Organization,
    Participation,
    Person,
    Session,
)
from objectives.models import GuidingPrinciple, Objective
from recommendations import exports, services
from recommendations.models import (
    Addressee,
    FollowUp,
    Language,
    Recommendation,
    RecommendationObjective,
    Status,
)
from recommendations.sheets import QUESTION_SEPARATOR, SHEETS

# The widest sheet has 23 columns; a header far wider is not one of ours.
MAX_COLUMNS = 100
MAX_CELL_CHARS = 100_000
MAX_SHEETS = 10
# An XLSX file is a zip: one that unpacks to far more than its size is a zip bomb, not a sheet.
MAX_UNPACK_RATIO = 30
MAX_ZIP_ENTRIES = 1000

REQUIRED = {
    "organizations": ["organization"],
    "people": ["person"],
    "events": ["event", "event_title", "kind"],
    "sessions": ["event", "session", "session_title"],
    "participations": ["event", "session", "person", "role"],
    "recommendations": ["reference", "short_title", "text", "event"],
}
# Derived from the data, so an edited value is not taken back.
IGNORED_COLUMNS = {"url"}
SINGULAR = {
    "organizations": "organization",
    "people": "person",
    "events": "event",
    "sessions": "session",
    "participations": "participation",
    "recommendations": "recommendation",
}
# The kinds of record a change or a message names, in the words of the active language.
KIND_NAMES = {
    "event": gettext_lazy("event"),
    "session": gettext_lazy("session"),
    "participation": gettext_lazy("participation"),
    "recommendation": gettext_lazy("recommendation"),
    "person": gettext_lazy("person"),
    "organization": gettext_lazy("organization"),
    "addressee": gettext_lazy("addressee"),
    "question": gettext_lazy("question"),
}
COUNTED = {
    "event": ngettext_lazy("%(count)d event", "%(count)d events", "count"),
    "session": ngettext_lazy("%(count)d session", "%(count)d sessions", "count"),
    "participation": ngettext_lazy("%(count)d participation", "%(count)d participations", "count"),
    "recommendation": ngettext_lazy(
        "%(count)d recommendation", "%(count)d recommendations", "count"
    ),
    "person": ngettext_lazy("%(count)d person", "%(count)d people", "count"),
    "organization": ngettext_lazy("%(count)d organization", "%(count)d organizations", "count"),
    "addressee": ngettext_lazy("%(count)d addressee", "%(count)d addressees", "count"),
}
CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
# Looked up by the importer itself (relations) or checked as read (country codes, choices), so
# not checked again.
CHECKED_AS_READ = [
    "event",
    "session",
    "speaker",
    "organization",
    "curator",
    "countries",
    "language",
    "state",
]
READ_AHEAD_BATCH = 500
REFERENCE = re.compile(r"[A-Z0-9]+(-[A-Z0-9]+)+")
NUMBER = re.compile(r"\d{1,9}", re.ASCII)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# Characters a spreadsheet cannot hold (XLSX refuses them) and PostgreSQL cannot store (NUL).
UNKEEPABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file or one of its rows, in plain words."""

    message: str
    row: int | None = None
    sheet: str = ""

    def __str__(self):
        shown = {"sheet": self.sheet, "row": self.row, "message": self.message}
        if self.row and self.sheet:
            return _("%(sheet)s, row %(row)s: %(message)s") % shown
        if self.row:
            return _("Row %(row)s: %(message)s") % shown
        return f"{self.sheet}: {self.message}" if self.sheet else self.message


@dataclass(frozen=True)
class Change:
    """What one row does, or would do, to one record."""

    kind: str
    key: str
    action: str
    fields: tuple[str, ...] = ()
    row: int | None = None
    sheet: str = ""

    def __str__(self):
        detail = f" ({', '.join(self.fields)})" if self.fields else ""
        what = {
            CREATE: _("create %(kind)s %(key)s"),
            UPDATE: _("update %(kind)s %(key)s"),
            UNCHANGED: _("unchanged %(kind)s %(key)s"),
        }[self.action]
        return what % {"kind": _kind_name(self.kind), "key": self.key} + detail


@dataclass
class Row:
    number: int
    cells: dict[str, str]
    problems: list[str] = field(default_factory=list)


@dataclass
class Sheet:
    name: str
    kind: str
    columns: list[str]
    rows: list[Row]


@dataclass
class ImportPlan:
    """What importing a file does: its sheets, the changes, and every problem found."""

    filename: str
    sheets: list[Sheet] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        """Whether the file can be imported: no problem in the file or any row."""
        return not self.problems

    def with_action(self, action: str) -> list[Change]:
        """The changes that create, update or leave a record unchanged."""
        return [change for change in self.changes if change.action == action]

    @property
    def created(self) -> list[Change]:
        return self.with_action(CREATE)

    @property
    def updated(self) -> list[Change]:
        return self.with_action(UPDATE)

    @property
    def skipped(self) -> list[Change]:
        return self.with_action(UNCHANGED)

    def counts(self, action: str) -> str:
        """E.g. "3 recommendations, 1 event" for the changes with `action`."""
        counted = Counter(change.kind for change in self.with_action(action))
        return ", ".join(COUNTED[kind] % {"count": count} for kind, count in counted.items())


class ImportRejected(Exception):
    """The import was refused or failed; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(problem) for problem in self.problems))


class _Refused(Exception):
    """The file as a whole cannot be imported."""

    def __init__(self, *problems: Problem | str):
        self.problems = [p if isinstance(p, Problem) else Problem(p) for p in problems]


class _Bad(Exception):
    """A cell that cannot be taken, with why."""

    def __init__(self, *messages: str):
        self.messages = list(messages)


class _RowFailed(_Bad):
    """A row that cannot be imported."""


class _NeedsWrite(Exception):
    """A row tried without writing needs to write after all."""


@dataclass
class _RecommendationRow:
    """A recommendation row, checked, with what it asks for before anything is looked up."""

    recommendation: Recommendation
    existing: Recommendation | None
    values: dict
    current_tags: dict[int, tuple[bool, str]]
    tags: list | None
    principles: list | None
    state: str | None
    follow_up: tuple[str, date | None] | None

    @property
    def was_published(self) -> bool:
        return self.existing is not None and self.existing.is_published

    @property
    def publishing(self) -> bool:
        return self.state == Recommendation.State.PUBLISHED and not self.was_published


@dataclass(frozen=True)
class _BadCell:
    """A workbook cell that holds no plain value (a formula or an error)."""

    message: str


def _show(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:39] + "…")


def _kind_name(kind: str) -> str:
    """A kind of record (or a column) as the messages name it, in the active language."""
    return str(KIND_NAMES.get(kind, kind))


# A sheet repeats the same few names and choices on thousands of rows.
@functools.lru_cache(maxsize=16384)
def name_key(text: str) -> str:
    """A name folded for matching: no accents, no case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


def _read_bytes(file, limit: int) -> bytes:
    if isinstance(file, bytes | bytearray | memoryview):
        data = bytes(file)
    else:
        size = getattr(file, "size", None)
        if isinstance(size, int) and size > limit:
            raise _Refused(_too_large(size, limit))
        data = file.read(limit + 1)
        if isinstance(data, str):
            raise TypeError("Open the file in binary mode.")
    if len(data) > limit:
        raise _Refused(_too_large(None, limit))
    return data


def _too_large(size: int | None, limit: int) -> str:
    most = filesizeformat(limit).replace("\xa0", " ")
    if size is None:
        return _("The file is larger than %(most)s, the most the tracker imports: split it.") % {
            "most": most
        }
    shown = filesizeformat(size).replace("\xa0", " ")
    return _("The file is %(size)s; the tracker imports files of up to %(most)s: split it.") % {
        "size": shown,
        "most": most,
    }


def _csv_tables(data: bytes) -> list[tuple[str, Iterator]]:
    if data.startswith(b"PK\x03\x04"):
        raise _Refused(
            _(
                "This is an XLSX workbook (or another zip file) named .csv: name it .xlsx, "
                "or save it from the spreadsheet program as CSV UTF-8."
            )
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _Refused(_("The file is UTF-16 text: save it as CSV UTF-8."))
    if b"\x00" in data:
        raise _Refused(_("This is not a CSV text file: it holds binary data."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Refused(
            _(
                "The file is not UTF-8 text (the byte %(byte)s at position %(position)s is "
                "not UTF-8): save it as CSV UTF-8."
            )
            % {"byte": f"{data[exc.start]:#04x}", "position": exc.start}
        ) from None
    if not text.strip():
        raise _Refused(_("The file is empty."))
    known = {column for columns in SHEETS.values() for column in columns}

    def score(delimiter: str) -> int:
        try:
            header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
        except csv.Error:
            return -1
        return sum(cell.strip().lower() in known for cell in header)

    # Spreadsheet programs in many languages save CSV with semicolons.
    delimiter = max([",", ";", "\t"], key=score)

    def records() -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):  # noqa: B007
                yield number, cells
        except csv.Error as exc:
            message = _("the CSV cannot be read: %(error)s") % {"error": exc}
            raise _Refused(Problem(message, number + 1)) from None

    return [("", records())]


def _xlsx_text(cell) -> str | _BadCell:
    value = cell.value
    if cell.data_type == "f":
        return _BadCell(_("a formula; type the value itself"))
    if cell.data_type == "e":
        return _BadCell(_("the spreadsheet error %(error)s") % {"error": value})
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == time() and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _xlsx_tables(data: bytes, max_rows: int, max_bytes: int) -> list[tuple[str, Iterator]]:
    if not data.startswith(b"PK\x03\x04"):
        raise _Refused(
            _(
                "This is not an XLSX workbook: save it from the spreadsheet program as "
                "Excel Workbook (.xlsx) or as CSV UTF-8."
            )
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _Refused(_("The workbook is damaged: it cannot be opened.")) from None
    unpacked = sum(entry.file_size for entry in entries)
    if len(entries) > MAX_ZIP_ENTRIES or unpacked > max_bytes * MAX_UNPACK_RATIO:
        raise _Refused(_("The workbook unpacks to far more data than a spreadsheet holds."))
    tables = []
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it skips; the values are what count.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            try:
                if len(workbook.worksheets) > MAX_SHEETS:
                    raise _Refused(
                        _("The workbook has more than %(most)d sheets.") % {"most": MAX_SHEETS}
                    )
                # The rows of all sheets together count against the limit, so memory stays bounded.
                budget = max_rows + len(workbook.worksheets)
                for sheet in workbook.worksheets:
                    records = []
                    for number, cells in enumerate(
                        sheet.iter_rows(max_col=MAX_COLUMNS + 1), start=1
                    ):
                        budget -= 1
                        if number > max_rows + 1 or budget < 0:
                            raise _Refused(_too_many_rows(max_rows, sheet.title))
                        texts = [_xlsx_text(cell) for cell in cells]
                        while texts and texts[-1] == "":
                            texts.pop()
                        records.append((number, texts))
                    tables.append((sheet.title, iter(records)))
            finally:
                workbook.close()
    except _Refused:
        raise
    except Exception as exc:
        # Whatever a damaged or hostile workbook makes the reader raise means the same thing.
        raise _Refused(
            _(
                "The workbook cannot be read (%(error)s): open it in the spreadsheet "
                "program and save it again as .xlsx."
            )
            % {"error": type(exc).__name__}
        ) from None
    return tables


def _too_many_rows(max_rows: int, sheet: str = "") -> Problem:
    return Problem(
        _("more than %(most)d rows; import at most %(most)d rows at a time") % {"most": max_rows},
        sheet=sheet,
    )


def _cell_text(value: str | _BadCell, column: str, *, csv_file: bool) -> str:
    if isinstance(value, _BadCell):
        raise _Bad(
            _("%(column)s: the cell holds %(what)s") % {"column": column, "what": value.message}
        )
    if len(value) > MAX_CELL_CHARS:
        raise _Bad(
            _("%(column)s: the cell holds %(length)d characters; a cell may hold at most %(most)d")
            % {"column": column, "length": len(value), "most": MAX_CELL_CHARS}
        )
    if unkeepable := UNKEEPABLE.search(value):
        raise _Bad(
            _("%(column)s: the cell holds the control character %(character)s")
            % {"column": column, "character": f"U+{ord(unkeepable[0]):04X}"}
        )
    if csv_file and value.startswith("="):
        raise _Bad(
            _(
                "%(column)s: starts with '=', so a spreadsheet would run it as a formula; "
                "if it is text, start it with an apostrophe ('=…)"
            )
            % {"column": column}
        )
    return exports.restore(value)


def _kind_of(header: list[str]) -> str | None:
    """The kind that shares most columns with the header; of equals, one whose required
    columns it has."""
    ranked = sorted(
        SHEETS,
        key=lambda kind: (
            sum(column in SHEETS[kind] for column in header),
            all(column in header for column in REQUIRED[kind]),
        ),
        reverse=True,
    )
    best = ranked[0]
    return best if any(column in SHEETS[best] for column in header) else None


def _sheet(name: str, records: Iterator, *, csv_file: bool, max_rows: int) -> Sheet | None:
    first = next(records, None)
    if first is None:
        return None
    number, raw_header = first
    header = [cell.strip().lower() if isinstance(cell, str) else "" for cell in raw_header]
    while header and not header[-1]:
        header.pop()
    if not header:
        if any(any(_filled(cell) for cell in cells) for _n, cells in records):
            raise _Refused(Problem(_("the first row must name the columns"), 1, name))
        return None
    if len(header) > MAX_COLUMNS:
        raise _Refused(
            Problem(
                _("the header row has more than %(most)d columns: is this the right file?")
                % {"most": MAX_COLUMNS}
            )
        )
    kind = _kind_of(header)
    if kind is None:
        raise _Refused(
            Problem(
                _(
                    "the first row must name the columns (reference, short_title, text, "
                    "event, …); none of its cells is a column of the tracker's sheets"
                ),
                1,
                name,
            )
        )
    problems = []
    for position, column in enumerate(header, start=1):
        if not column:
            problems.append(_("column %(position)d has no name") % {"position": position})
        elif header.index(column) != position - 1:
            problems.append(_("column %(column)s appears twice") % {"column": repr(column)})
        elif column not in SHEETS[kind]:
            problems.append(
                _("unknown column %(column)s in a %(kind)s sheet")
                % {"column": _show(column), "kind": kind}
            )
    problems += [
        _("missing column %(column)s, which a %(kind)s sheet needs")
        % {"column": repr(column), "kind": kind}
        for column in REQUIRED[kind]
        if column not in header
    ]
    if problems:
        raise _Refused(*(Problem(message, 1, name) for message in problems))
    rows = []
    for number, cells in records:
        if number > max_rows + 1:
            raise _Refused(_too_many_rows(max_rows, name))
        if not any(_filled(cell) for cell in cells):
            continue
        row = Row(number, {})
        if any(_filled(cell) for cell in cells[len(header) :]):
            row.problems.append(
                _("the row has cells beyond the last of the %(count)d named columns")
                % {"count": len(header)}
            )
        padded = list(cells[: len(header)]) + [""] * (len(header) - len(cells))
        for column, value in zip(header, padded, strict=True):
            if column in IGNORED_COLUMNS:
                continue
            try:
                row.cells[column] = _cell_text(value, column, csv_file=csv_file)
            except _Bad as bad:
                row.problems += bad.messages
        rows.append(row)
    return Sheet(name=name, kind=kind, columns=header, rows=rows)


def _filled(cell) -> bool:
    return isinstance(cell, _BadCell) or bool(cell and cell.strip())


def read_sheets(file, *, filename: str) -> list[Sheet]:
    """The sheets of a CSV or XLSX file, checked cell by cell; raises ImportRejected."""
    max_bytes, max_rows = settings.GCM_IMPORT_MAX_BYTES, settings.GCM_IMPORT_MAX_ROWS
    try:
        extension = PurePath(filename or "").suffix.lower()
        if extension not in (".csv", ".xlsx"):
            raise _Refused(
                _("The tracker imports .csv and .xlsx files, not %(file)s.")
                % {"file": _show(extension or filename)}
            )
        data = _read_bytes(file, max_bytes)
        if not data:
            raise _Refused(_("The file is empty."))
        tables = (
            _csv_tables(data) if extension == ".csv" else _xlsx_tables(data, max_rows, max_bytes)
        )
        # Messages name the sheet only when there is more than one.
        named = len(tables) > 1
        sheets = []
        for name, records in tables:
            sheet = _sheet(
                name if named else "", records, csv_file=extension == ".csv", max_rows=max_rows
            )
            if sheet is not None:
                sheets.append(sheet)
        if not any(sheet.rows for sheet in sheets):
            raise _Refused(_("There is no row to import below the header."))
    except _Refused as refused:
        raise ImportRejected(refused.problems) from None
    return sheets


class _Collector:
    """Runs parsing steps, keeping each one's messages, so a row reports all its problems."""

    def __init__(self):
        self.messages: list[str] = []

    def __call__(self, step: Callable, *args, **kwargs):
        try:
            return step(*args, **kwargs)
        except _Bad as bad:
            self.messages += bad.messages
            return None

    def add(self, message: str):
        self.messages.append(message)

    def check(self):
        if self.messages:
            raise _RowFailed(*self.messages)


def _items(text: str, separators: str = ";") -> list[str]:
    """The values of a multi-valued cell, in order, without blanks or repeats."""
    parts = re.split(f"[{re.escape(separators)}]", text)
    return list(dict.fromkeys(part.strip() for part in parts if part.strip()))


def _number(text: str, what: str) -> int:
    """A whole number; `what` names it in messages (a column, or a translated word)."""
    text = text.strip()
    if not NUMBER.fullmatch(text):
        raise _Bad(_("%(what)s %(value)s is not a number") % {"what": what, "value": _show(text)})
    return int(text)


def _unknown_number(what: str, number: int) -> str:
    if what == "principle":
        return _("unknown principle %(number)d") % {"number": number}
    return _("unknown objective %(number)d") % {"number": number}


def _numbers(text: str, what: str, known: dict) -> list:
    """The objectives or principles ("objective", "principle") a cell names by number."""
    bad = _Collector()
    shown = _("principle") if what == "principle" else _("objective")
    numbers = [bad(_number, item, shown) for item in _items(text, ";,")]
    for number in numbers:
        if number is not None and number not in known:
            bad.add(_unknown_number(what, number))
    if bad.messages:
        raise _Bad(*bad.messages)
    return [known[number] for number in numbers]


@functools.cache
def _choice_keys(choices: type[models.TextChoices], language: str | None) -> dict[str, str]:
    """Each choice's value, found by the value itself or by its label in `language`."""
    keys = {}
    for value, label in choices.choices:
        keys.setdefault(value, value)
        keys.setdefault(name_key(str(label)).replace(" ", "_"), value)
    return keys


def _choice(text: str, choices: type[models.TextChoices], column: str, *, blank=None) -> str:
    wanted = name_key(text).replace(" ", "_")
    if not wanted and blank is not None:
        return blank
    if value := _choice_keys(choices, translation.get_language()).get(wanted):
        return value
    values = ", ".join(choices.values)
    if not wanted:
        raise _Bad(_("missing %(column)s (use %(values)s)") % {"column": column, "values": values})
    raise _Bad(
        _("%(column)s %(value)s not understood (use %(values)s)")
        % {"column": column, "value": _show(text), "values": values}
    )


def _date(text: str, column: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        if ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise _Bad(
        _("%(column)s %(value)s: date not understood (use YYYY-MM-DD)")
        % {"column": column, "value": _show(text)}
    )


def _datetime(text: str, column: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    shown = {"column": column, "value": _show(text)}
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _Bad(
            _(
                "%(column)s %(value)s: date and time not understood "
                "(use e.g. 2021-04-13T12:30:00-04:00)"
            )
            % shown
        ) from None
    if timezone.is_naive(moment):
        raise _Bad(
            _("%(column)s %(value)s needs its UTC offset, e.g. 2021-04-13T12:30:00-04:00") % shown
        )
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise _Bad(_("%(column)s %(value)s is out of range") % shown) from None
    return moment


def _country(text: str) -> str:
    code = text.strip().upper()
    if code and not countries.alpha2(code):
        raise _Bad(_("unknown country code %(code)s") % {"code": _show(text.strip())})
    return countries.alpha2(code) if code else ""


def _countries(text: str) -> list[str]:
    bad = _Collector()
    codes = [bad(_country, item) for item in _items(text, ";,")]
    if bad.messages:
        raise _Bad(*bad.messages)
    return sorted(set(codes))


def _order(text: str) -> int:
    return _number(text, "order") if text.strip() else 0


def _messages(error: ValidationError, what: str) -> list[str]:
    what = _kind_name(what)
    if not hasattr(error, "error_dict"):
        return [f"{what}: {message}" for message in error.messages]
    return [
        f"{what if name == NON_FIELD_ERRORS else f'{what} {name}'}: {message}"
        for name, messages in error.message_dict.items()
        for message in messages
    ]


def _assign(obj: models.Model, values: dict) -> list[str]:
    """Set the values that differ from `obj`'s; the names of those that did."""
    changed = []
    for name, value in values.items():
        model_field = obj._meta.get_field(name)
        if model_field.is_relation:
            current = getattr(obj, model_field.attname)
            wanted = value.pk if value is not None else None
        elif isinstance(model_field, CountryField) and model_field.multiple:
            current, wanted = sorted(c.code for c in getattr(obj, name)), sorted(value)
        elif isinstance(model_field, CountryField):
            current, wanted = getattr(obj, name).code or "", value
        else:
            current, wanted = getattr(obj, name), value
        if current != wanted:
            setattr(obj, name, value)
            changed.append(name)
    return changed


class _Directory:
    """The rows of one model, found by name, slug or acronym, without regard to accents or case."""

    def __init__(self, model: type[models.Model], *, acronyms: bool = False):
        self.model = model
        self.acronyms = acronyms
        self.reset()

    def reset(self):
        self._loaded = False

    def _load(self):
        self.by_name: dict[str, list] = defaultdict(list)
        self.by_slug: dict[str, models.Model] = {}
        self.by_acronym: dict[str, list] = defaultdict(list)
        for obj in self.model._base_manager.order_by("pk"):
            self.add(obj)
        self._loaded = True

    def add(self, obj: models.Model):
        self.by_name[name_key(obj.name)].append(obj)
        self.by_slug[obj.slug] = obj
        if self.acronyms and obj.acronym:
            self.by_acronym[name_key(obj.acronym)].append(obj)

    def find(self, text: str, *, acronyms: bool = True) -> list:
        """The rows `text` names: by name first, then by slug, then by acronym."""
        if not self._loaded:
            self._load()
        key = name_key(text)
        if key in self.by_name:
            return self.by_name[key]
        slug = slugify(text)
        if slug in self.by_slug:
            return [self.by_slug[slug]]
        return self.by_acronym.get(key, []) if acronyms else []

    def new_slug(self, name: str) -> str:
        """A slug made from `name` that no row has yet."""
        if not self._loaded:
            self._load()
        base = slugify(name)[:110].strip("-") or self.model._meta.model_name
        slug, suffix = base, 1
        while slug in self.by_slug:
            suffix += 1
            slug = f"{base}-{suffix}"
        return slug


class _Import:
    """One run of the rows of some sheets, recording changes and problems into a plan."""

    def __init__(self, *, plan: ImportPlan, user: AbstractBaseUser | None, dry_run: bool):
        self.plan = plan
        self.user = user
        self.dry_run = dry_run
        self.note = f"Imported from {PurePath(plan.filename).name}"
        self.claimed: dict[tuple, tuple[str, int]] = {}
        self.people = _Directory(Person)
        self.organizations = _Directory(Organization, acronyms=True)
        self.addressees = _Directory(Addressee)
        self.objectives = {o.number: o for o in Objective.objects.all()}
        self.principles = {p.number: p for p in GuidingPrinciple.objects.all()}
        self.recommendations: dict[str, Recommendation] = {}
        self.deferred: list[services.RecommendationEdit] = []
        self.writes_allowed = True
        self._reset_events()

    def _reset_events(self):
        self._events: dict[str, Event] | None = None
        self._sessions: dict[tuple[int, str], Session] | None = None

    def run(self, sheets: list[Sheet]):
        handlers = {
            "organizations": self._organization_row,
            "people": self._person_row,
            "events": self._event_row,
            "sessions": self._session_row,
            "participations": self._participation_row,
            "recommendations": self._recommendation_row,
        }
        self._read_ahead(sheets)
        for sheet in sorted(sheets, key=lambda sheet: list(SHEETS).index(sheet.kind)):
            for row in sheet.rows:
                self._run_row(handlers[sheet.kind], sheet, row)
            self._write_deferred()

    def _read_ahead(self, sheets: list[Sheet]):
        """The recommendations the sheets name, with their tags, in a few queries."""
        references = sorted(
            {
                row.cells.get("reference", "").strip()
                for sheet in sheets
                if sheet.kind == "recommendations"
                for row in sheet.rows
            }
            - {""}
        )
        tags = Prefetch(
            "objective_links", RecommendationObjective.objects.select_related("objective")
        )
        for start in range(0, len(references), READ_AHEAD_BATCH):
            batch = references[start : start + READ_AHEAD_BATCH]
            found = Recommendation.objects.filter(reference__in=batch).prefetch_related(
                tags, "principles", "addressees"
            )
            self.recommendations.update((r.reference, r) for r in found)

    def _run_row(self, handler: Callable[[Row], None], sheet: Sheet, row: Row):
        if row.problems:
            self.plan.problems += [Problem(m, row.number, sheet.name) for m in row.problems]
            return
        self.sheet, self.row = sheet, row
        self.row_changes: list[Change] = []
        self.wrote = False
        try:
            # A recommendation row opens its own savepoint, and only when it writes at once.
            with transaction.atomic() if sheet.kind != "recommendations" else nullcontext():
                handler(row)
        except _Bad as bad:
            messages = bad.messages
        except ValidationError as error:
            messages = _messages(error, SINGULAR[sheet.kind])
        except PermissionDenied as denied:
            messages = [str(denied) or _("permission denied")]
        except DatabaseError as error:
            reason = (str(error).splitlines() or [type(error).__name__])[0]
            messages = [_("could not be saved (%(reason)s)") % {"reason": reason}]
        else:
            self.plan.changes += self.row_changes
            return
        if self.wrote:
            # The row's writes were rolled back: what the caches remember of them is gone too.
            for directory in (self.people, self.organizations, self.addressees):
                directory.reset()
            self._reset_events()
        self.plan.problems += [Problem(m, row.number, sheet.name) for m in messages]

    def _claim(self, kind: str, key, shown: str):
        """Stop a second row for the same record; the first row is named in the message."""
        here = (self.sheet.name, self.row.number)
        first = self.claimed.setdefault((kind, key), here)
        if first != here:
            if first[0] == here[0]:
                where = _("row %(row)s") % {"row": first[1]}
            else:
                where = _("%(sheet)s, row %(row)s") % {"sheet": first[0], "row": first[1]}
            duplicate = {
                "reference": _("duplicate reference %(key)s (also on %(where)s)"),
                "event": _("duplicate event %(key)s (also on %(where)s)"),
                "session": _("duplicate session %(key)s (also on %(where)s)"),
                "participation": _("duplicate participation %(key)s (also on %(where)s)"),
                "person": _("duplicate person %(key)s (also on %(where)s)"),
                "organization": _("duplicate organization %(key)s (also on %(where)s)"),
            }[kind]
            raise _RowFailed(duplicate % {"key": shown, "where": where})

    def _record(self, kind: str, key: str, action: str, fields: Iterable[str] = ()):
        shown = tuple(fields) if action == UPDATE else ()
        self.row_changes.append(Change(kind, key, action, shown, self.row.number, self.sheet.name))

    def _warn(self, message: str):
        self.plan.warnings.append(Problem(message, self.row.number, self.sheet.name))

    def _require(self, action: str, model: type[models.Model]):
        if self.user is None:
            return
        if not self.user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}"):
            refusal = {
                "add": _("you may not add %(records)s"),
                "change": _("you may not change %(records)s"),
                "delete": _("you may not delete %(records)s"),
            }[action]
            raise _RowFailed(refusal % {"records": model._meta.verbose_name_plural})

    def _writing(self):
        """Stop a row being tried without writing, before it changes anything."""
        if not self.writes_allowed:
            raise _NeedsWrite

    def _save(self, obj: models.Model, what: str):
        self._writing()
        self._require("change" if obj.pk else "add", type(obj))
        obj._history_user = self.user
        try:
            obj.full_clean()
        except ValidationError as error:
            raise _RowFailed(*_messages(error, what)) from None
        obj.save()
        self.wrote = True

    @property
    def events(self) -> dict[str, Event]:
        if self._events is None:
            self._events = {event.code.casefold(): event for event in Event.objects.all()}
        return self._events

    @property
    def sessions(self) -> dict[tuple[int, str], Session]:
        if self._sessions is None:
            self._sessions = {
                (session.event_id, session.code.casefold()): session
                for session in Session.objects.all()
            }
        return self._sessions

    def _known_event(self, code: str) -> Event:
        if not code:
            raise _RowFailed(_("missing event"))
        event = self.events.get(code.casefold())
        if event is None:
            raise _RowFailed(
                _("unknown event %(code)s: import the events sheet first") % {"code": _show(code)}
            )
        return event

    def _known_session(self, event: Event, code: str) -> Session:
        if not code:
            raise _RowFailed(_("missing session"))
        session = self.sessions.get((event.pk, code.casefold()))
        if session is None:
            raise _RowFailed(
                _("unknown session %(code)s of event %(event)s: import the sessions sheet first")
                % {"code": _show(code), "event": event.code}
            )
        return session

    def _named(
        self,
        directory: _Directory,
        text: str,
        create: Callable[..., models.Model],
        *,
        acronyms: bool = True,
    ):
        """The one row `text` names, created when there is none."""
        text = " ".join(text.split())
        found = directory.find(text, acronyms=acronyms)
        kind = directory.model._meta.model_name
        if len(found) > 1:
            slugs = ", ".join(obj.slug for obj in found)
            ambiguous = {
                "person": _(
                    "person %(name)s matches %(count)d people (%(slugs)s): "
                    "write the slug of the one meant"
                ),
                "organization": _(
                    "organization %(name)s matches %(count)d organizations (%(slugs)s): "
                    "write the slug of the one meant"
                ),
                "addressee": _(
                    "addressee %(name)s matches %(count)d addressees (%(slugs)s): "
                    "write the slug of the one meant"
                ),
            }[kind]
            raise _RowFailed(ambiguous % {"name": _show(text), "count": len(found), "slugs": slugs})
        if found:
            return found[0]
        obj = create(name=text)
        obj.slug = directory.new_slug(text)
        self._save(obj, kind)
        directory.add(obj)
        self._record(kind, text, CREATE)
        return obj

    def _person(self, name: str) -> Person:
        return self._named(self.people, name, Person)

    def _organization(self, name: str, kind_text: str = "") -> Organization:
        kind = _choice(kind_text, Organization.Kind, "organization_kind", blank="")
        organization = self._named(
            self.organizations, name, lambda name: Organization(name=name, kind=kind)
        )
        if kind and not organization.kind:
            self._writing()
            organization.kind = kind
            self._save(organization, "organization")
            self._record("organization", organization.name, UPDATE, ["kind"])
        elif kind and organization.kind != kind:
            if organization.kind:
                message = _(
                    "organization %(name)s is of kind %(kind)s in the tracker; the "
                    "organization_kind here is not used"
                )
            else:
                message = _(
                    "organization %(name)s is of no kind in the tracker; the "
                    "organization_kind here is not used"
                )
            self._warn(message % {"name": repr(organization.name), "kind": organization.kind})
        return organization

    def _addressee(self, name: str) -> Addressee:
        return self._named(self.addressees, name, Addressee)

    def _set_m2m(self, obj: models.Model, name: str, wanted: list, changed: list[str]):
        manager = getattr(obj, name)
        if set(manager.values_list("pk", flat=True)) != {item.pk for item in wanted}:
            self._require("change", type(obj))
            manager.set(wanted)
            self.wrote = True
            changed.append(name)

    def _directory_entry(self, directory: _Directory, text: str, kind: str, create):
        """The row a directory sheet's first cell names, created if new, claimed once."""
        if not text.strip():
            raise _RowFailed(
                {"organization": _("missing organization"), "person": _("missing person")}[kind]
            )
        before = len(self.row_changes)
        # The first cell of a directory sheet is the name itself, which its row may give an
        # acronym: matching it as an acronym would let the row rename another organization.
        obj = self._named(directory, text, create, acronyms=False)
        self._claim(kind, obj.pk, _show(obj.name))
        return obj, len(self.row_changes) > before

    def _organization_row(self, row: Row):
        cells = row.cells
        bad = _Collector()
        values = {}
        if "acronym" in cells:
            values["acronym"] = cells["acronym"].strip()
        if "organization_kind" in cells:
            values["kind"] = bad(
                _choice,
                cells["organization_kind"],
                Organization.Kind,
                "organization_kind",
                blank="",
            )
        if "country" in cells:
            values["country"] = bad(_country, cells["country"])
        if "website" in cells:
            values["website"] = cells["website"].strip()
        bad.check()
        organization, created = self._directory_entry(
            self.organizations,
            cells["organization"],
            "organization",
            lambda name: Organization(name=name, **values),
        )
        changed = [] if created else _assign(organization, values)
        if changed:
            self._save(organization, "organization")
        if not created:
            self._record("organization", organization.name, _action(False, changed), changed)

    def _person_row(self, row: Row):
        cells = row.cells
        values = {}
        if "affiliation" in cells:
            values["affiliation"] = cells["affiliation"].strip()
        if "organization" in cells:
            name = cells["organization"].strip()
            values["organization"] = self._organization(name) if name else None
        person, created = self._directory_entry(
            self.people, cells["person"], "person", lambda name: Person(name=name, **values)
        )
        changed = [] if created else _assign(person, values)
        if changed:
            self._save(person, "person")
        if not created:
            self._record("person", person.name, _action(False, changed), changed)

    def _event_row(self, row: Row):
        cells = row.cells
        code = cells["event"].strip()
        if not code:
            raise _RowFailed(_("missing event"))
        self._claim("event", code.casefold(), code)
        bad = _Collector()
        values = {
            "title": cells["event_title"].strip(),
            "kind": bad(_choice, cells["kind"], Event.Kind, "kind"),
        }
        for column in ("start_date", "end_date"):
            if column in cells:
                values[column] = bad(_date, cells[column], column)
        if "country" in cells:
            values["country"] = bad(_country, cells["country"])
        for column in ("city", "language", "source_document", "source_url"):
            if column in cells:
                values[column] = cells[column].strip()
        if "description" in cells:
            values["description"] = cells["description"]
        bad.check()
        event = self.events.get(code.casefold()) or Event(code=code)
        created = event.pk is None
        changed = _assign(event, values)
        if created or changed:
            self._save(event, "event")
            self.events[code.casefold()] = event
        if "organizers" in cells:
            organizers = [self._organization(name) for name in _items(cells["organizers"])]
            self._set_m2m(event, "organizers", organizers, changed)
        self._record("event", event.code, _action(created, changed), changed)

    def _session_row(self, row: Row):
        cells = row.cells
        event = self._known_event(cells["event"].strip())
        code = cells["session"].strip()
        if not code:
            raise _RowFailed(_("missing session"))
        self._claim("session", (event.pk, code.casefold()), f"{event.code} {code}")
        bad = _Collector()
        values = {"title": cells["session_title"].strip()}
        if "order" in cells:
            values["order"] = bad(_order, cells["order"])
        if "session_format" in cells:
            values["format"] = bad(
                _choice, cells["session_format"], Session.Format, "session_format", blank=""
            )
        for column in ("starts_at", "ends_at"):
            if column in cells:
                values[column] = bad(_datetime, cells[column], column)
        if "time_zone" in cells:
            values["time_zone"] = cells["time_zone"].strip()
        for column in ("description", "rapporteur_summary"):
            if column in cells:
                values[column] = cells[column]
        objectives = (
            bad(_numbers, cells["objectives"], "objective", self.objectives)
            if "objectives" in cells
            else None
        )
        bad.check()
        session = self.sessions.get((event.pk, code.casefold())) or Session(event=event, code=code)
        created = session.pk is None
        changed = _assign(session, values)
        if created or changed:
            self._save(session, "session")
            self.sessions[(event.pk, code.casefold())] = session
        if objectives is not None:
            self._set_m2m(session, "objectives", objectives, changed)
        if "guiding_questions" in cells:
            self._set_questions(session, cells["guiding_questions"], changed)
        self._record("session", f"{event.code} {session.code}", _action(created, changed), changed)

    def _set_questions(self, session: Session, text: str, changed: list[str]):
        lines = text.replace("\r\n", "\n").split(QUESTION_SEPARATOR)
        wanted = [line.strip() for line in lines if line.strip()]
        current = list(session.guiding_questions.order_by("order", "id"))
        if [question.text for question in current] == wanted:
            return
        if current:
            self._require("delete", GuidingQuestion)
        for question in current:
            question._history_user = self.user
            question.delete()
        for order, question_text in enumerate(wanted, start=1):
            self._save(
                GuidingQuestion(session=session, order=order, text=question_text), "question"
            )
        self.wrote = True
        changed.append("guiding_questions")

    def _participation_row(self, row: Row):
        cells = row.cells
        event = self._known_event(cells["event"].strip())
        session = self._known_session(event, cells["session"].strip())
        bad = _Collector()
        if not cells["person"].strip():
            bad.add(_("missing person"))
        role = bad(_choice, cells["role"], Participation.Role, "role")
        values = {}
        if "order" in cells:
            values["order"] = bad(_order, cells["order"])
        if "notes" in cells:
            values["notes"] = cells["notes"]
        bad.check()
        person = self._person(cells["person"])
        self._claim(
            "participation",
            (session.pk, person.pk, role),
            _("of %(person)s as %(role)s") % {"person": person.name, "role": role},
        )
        if "organization" in cells:
            name = cells["organization"].strip()
            values["organization"] = self._organization(name) if name else None
        participation = Participation.objects.filter(
            session=session, person=person, role=role
        ).first() or Participation(session=session, person=person, role=role)
        created = participation.pk is None
        changed = _assign(participation, values)
        if created or changed:
            self._save(participation, "participation")
        key = f"{event.code} {session.code} {person.name} ({role})"
        self._record("participation", key, _action(created, changed), changed)

    def _recommendation_row(self, row: Row):
        cells = row.cells
        reference = cells["reference"].strip()
        if not reference:
            raise _RowFailed(_("missing reference"))
        self._claim("reference", reference, reference)
        existing = self.recommendations.get(reference)
        bad = _Collector()
        if not REFERENCE.fullmatch(reference):
            bad.add(
                _(
                    "reference %(reference)s is not valid: use capital letters, digits and "
                    "hyphens, e.g. OAS2017-P2-03"
                )
                % {"reference": _show(reference)}
            )
        values = {"short_title": cells["short_title"], "text": cells["text"]}
        if "language" in cells:
            values["language"] = bad(_choice, cells["language"], Language, "language", blank="en")
        if not cells["event"].strip():
            bad.add(_("missing event"))
        current_tags = {
            tag.objective.number: (tag.is_primary, tag.source)
            for tag in (existing.objective_links.all() if existing else ())
        }
        tags = bad(self._objective_tags, cells, current_tags)
        principles = (
            bad(_numbers, cells["principles"], "principle", self.principles)
            if "principles" in cells
            else None
        )
        if "countries" in cells:
            values["countries"] = bad(_countries, cells["countries"])
        state = (
            bad(_choice, cells["state"], Recommendation.State, "state", blank="draft")
            if "state" in cells
            else None
        )
        follow_up = bad(_follow_up, cells)
        bad.check()

        recommendation = existing or Recommendation(reference=reference)
        parsed = _RecommendationRow(
            recommendation=recommendation,
            existing=existing,
            values=values,
            current_tags=current_tags,
            tags=tags,
            principles=principles,
            state=state,
            follow_up=follow_up
            if follow_up != (recommendation.current_status, recommendation.status_date)
            else None,
        )
        # Most rows only add or edit a draft: those are checked now and written together at
        # the end of the sheet, a few queries for thousands of rows. A row that publishes,
        # records follow-up, touches a published recommendation or must create an event,
        # session, person, organization or addressee is written at once, in its own savepoint.
        if not parsed.publishing and not parsed.was_published and not parsed.follow_up:
            with self._deferring() as deferred:
                self._write_recommendation(parsed, defer=True)
            if deferred.done:
                return
        with transaction.atomic():
            if existing is not None:
                # What was read ahead for checking must not stand in for what is written now.
                existing._prefetched_objects_cache = {}
            self._write_recommendation(parsed, defer=False)

    @contextmanager
    def _deferring(self):
        """Try a row without writing; when it needs to write, forget what the try recorded."""
        outcome = SimpleNamespace(done=False)
        warnings_before = len(self.plan.warnings)
        self.writes_allowed = False
        try:
            yield outcome
            outcome.done = True
        except _NeedsWrite:
            del self.plan.warnings[warnings_before:]
            self.row_changes.clear()
        finally:
            self.writes_allowed = True

    def _write_recommendation(self, parsed: _RecommendationRow, *, defer: bool):
        cells, values = self.row.cells, parsed.values
        recommendation, existing = parsed.recommendation, parsed.existing
        values["event"] = self._event_for(cells)
        if "session" in cells:
            values["session"] = self._session_for(values["event"], cells)
        if "speaker" in cells:
            values["speaker"] = self._speaker_for(cells["speaker"], existing)
        if "organization" in cells:
            name = cells["organization"].strip()
            organization_kind = cells.get("organization_kind", "")
            values["organization"] = self._organization(name, organization_kind) if name else None
        addressees = (
            [self._addressee(name) for name in _items(cells["addressees"])]
            if "addressees" in cells
            else None
        )
        changed = _assign(recommendation, values)
        tags = parsed.tags
        if tags is not None:
            wanted = {objective.number: (primary, source) for objective, primary, source in tags}
            if wanted != parsed.current_tags:
                changed.append("objectives")
            else:
                tags = None
        relations = {}
        for name, wanted in (("principles", parsed.principles), ("addressees", addressees)):
            if wanted is not None and not _same(existing, name, wanted):
                relations[name] = wanted
                changed.append(name)
        state = parsed.state
        if state is not None and not parsed.publishing and state != recommendation.state:
            recommendation.state = state
            changed.append("state")
        may_publish = self.user is None or services.can_publish(self.user)
        if parsed.was_published and changed and not may_publish:
            raise _RowFailed(_("only curators may change a published recommendation"))
        if parsed.publishing and not may_publish:
            raise _RowFailed(
                _(
                    "publishing needs the permission to publish recommendations: "
                    "import it as a draft"
                )
            )
        if existing is None or changed:
            self._require("change" if existing else "add", Recommendation)
            edit = services.RecommendationEdit(
                recommendation=recommendation,
                objective_tags=tags,
                principles=relations.get("principles"),
                addressees=relations.get("addressees"),
            )
            if defer:
                # The relations were looked up just now and the reference is new or this
                # row's own (claimed above): only the fields themselves are left to check.
                recommendation.full_clean(exclude=CHECKED_AS_READ, validate_unique=False)
                self.deferred.append(edit)
            else:
                services.save_recommendation(
                    recommendation=recommendation,
                    user=self.user,
                    objective_tags=edit.objective_tags,
                    principles=edit.principles,
                    addressees=edit.addressees,
                )
                self.wrote = True
        if parsed.publishing:
            self._publish(recommendation)
            changed.append("state")
        if parsed.follow_up:
            self._record_follow_up(recommendation, *parsed.follow_up)
            changed.append("current_status")
        reference = recommendation.reference
        self._record("recommendation", reference, _action(existing is None, changed), changed)

    def _write_deferred(self):
        """Write the rows checked and kept back, together; a failure is the file's problem."""
        edits, self.deferred = self.deferred, []
        if not edits or self.dry_run:
            # A plan need not write them: each was checked against what it may not clash with
            # (its reference claimed, its relations found); a reference taken in the meantime
            # is caught when the plan is applied, in the same words.
            return
        try:
            with transaction.atomic():
                services.save_unpublished_recommendations(edits=edits, user=self.user)
        except (ValidationError, DatabaseError) as error:
            reason = (str(error).splitlines() or [type(error).__name__])[0]
            self.plan.problems.append(
                Problem(
                    _("the recommendations of this file could not be saved (%(reason)s)")
                    % {"reason": reason}
                )
            )

    def _objective_tags(self, cells: dict, current: dict[int, tuple[bool, str]]):
        """(objective, primary, source) for each tag the row asks for; None to keep them."""
        if not {"primary_objective", "objectives", "objective_sources"} & cells.keys():
            return None
        bad = _Collector()
        sources = {}
        for item in _items(cells.get("objective_sources", "")):
            number_text, colon, source_text = item.partition(":")
            if not colon:
                bad.add(
                    _("objective source %(value)s not understood (use e.g. 7:curator)")
                    % {"value": _show(item)}
                )
                continue
            number = bad(_number, number_text, _("objective"))
            source = bad(
                _choice, source_text, RecommendationObjective.Source, _("objective source")
            )
            if number is not None and source is not None:
                sources[number] = source
        if "objectives" in cells:
            numbers = [
                bad(_number, item, _("objective")) for item in _items(cells["objectives"], ";,")
            ]
            numbers = list(dict.fromkeys(number for number in numbers if number is not None))
            for number in sources.keys() - set(numbers):
                bad.add(
                    _("objective %(number)d is in objective_sources but not in objectives")
                    % {"number": number}
                )
        elif "objective_sources" in cells:
            numbers = list(sources)
        else:
            numbers = list(current)
        if "primary_objective" in cells:
            primary_text = cells["primary_objective"].strip()
            primary = bad(_number, primary_text, "primary_objective") if primary_text else None
        else:
            primary = next(
                (number for number, (is_primary, _source) in current.items() if is_primary),
                None,
            )
        if primary is not None and primary not in numbers:
            numbers.insert(0, primary)
        for number in numbers:
            if number not in self.objectives:
                bad.add(_unknown_number("objective", number))
        if bad.messages:
            raise _Bad(*bad.messages)
        default = RecommendationObjective.Source.CURATOR
        return [
            (
                self.objectives[number],
                number == primary,
                sources.get(number) or current.get(number, (False, default))[1],
            )
            for number in numbers
        ]

    def _event_for(self, cells: dict) -> Event:
        code = cells["event"].strip()
        title = cells.get("event_title", "").strip()
        year = cells.get("year", "").strip()
        event = self.events.get(code.casefold())
        if event is None:
            if not title:
                raise _RowFailed(
                    _(
                        "unknown event %(code)s: give its event_title to create it, "
                        "or import the events sheet first"
                    )
                    % {"code": _show(code)}
                )
            event = Event(code=code, title=title, kind=Event.Kind.CONSULTATION)
            self._save(event, "event")
            self.events[code.casefold()] = event
            self._record("event", code, CREATE)
            if year:
                self._warn(
                    _(
                        "event %(code)s is created without dates (a year is not a date): "
                        "set them in the events sheet"
                    )
                    % {"code": code}
                )
            return event
        if title and title != event.title:
            self._warn(
                _(
                    "event %(code)s is titled %(title)s in the tracker; the event_title here "
                    "is not used (change it in the events sheet)"
                )
                % {"code": event.code, "title": _show(event.title)}
            )
        if year and year != str(event.year or ""):
            if event.year:
                message = _(
                    "event %(code)s started in %(year)s in the tracker; the year here is not "
                    "used (change the dates in the events sheet)"
                )
            else:
                message = _(
                    "event %(code)s started in an unknown year in the tracker; the year here "
                    "is not used (change the dates in the events sheet)"
                )
            self._warn(message % {"code": event.code, "year": event.year})
        return event

    def _session_for(self, event: Event, cells: dict) -> Session | None:
        code = cells["session"].strip()
        if not code:
            return None
        title = cells.get("session_title", "").strip()
        session_format = _choice(
            cells.get("session_format", ""), Session.Format, "session_format", blank=""
        )
        session = self.sessions.get((event.pk, code.casefold()))
        if session is None:
            if not title:
                raise _RowFailed(
                    _(
                        "unknown session %(code)s of event %(event)s: give its session_title "
                        "to create it, or import the sessions sheet first"
                    )
                    % {"code": _show(code), "event": event.code}
                )
            session = Session(event=event, code=code, title=title, format=session_format)
            self._save(session, "session")
            self.sessions[(event.pk, code.casefold())] = session
            self._record("session", f"{event.code} {code}", CREATE)
        elif (title and title != session.title) or (
            session_format and session_format != session.format
        ):
            self._warn(
                _(
                    "session %(event)s %(session)s has another title or format in the "
                    "tracker; the ones here are not used (change them in the sessions sheet)"
                )
                % {"event": event.code, "session": session.code}
            )
        return session

    def _speaker_for(self, text: str, existing: Recommendation | None) -> Person | None:
        name = text.strip()
        if name:
            return self._person(name)
        # Exports leave out a speaker who only commented in a chat: a blank keeps them.
        hidden = (
            existing is not None
            and existing.speaker_id
            and not Person.objects.public().filter(pk=existing.speaker_id).exists()
        )
        return existing.speaker if hidden else None

    def _publish(self, recommendation: Recommendation):
        recommendation._history_user = self.user
        if self.user is not None:
            services.publish_recommendation(recommendation=recommendation, user=self.user)
            return
        # The command line imports as the system, as load_seed does: there is nobody to ask.
        if errors := recommendation.publication_errors():
            raise _RowFailed(*(str(error) for error in errors))
        recommendation.state = Recommendation.State.PUBLISHED
        recommendation.published_at = recommendation.published_at or timezone.now()
        recommendation.full_clean()
        recommendation.save()

    def _record_follow_up(self, recommendation: Recommendation, status: str, day: date | None):
        if day is None:
            raise _RowFailed(
                _("current_status %(status)s needs a status_date") % {"status": status}
            )
        if day > timezone.localdate():
            raise _RowFailed(_("status_date %(date)s is in the future") % {"date": day})
        if recommendation.status_date and day < recommendation.status_date:
            raise _RowFailed(
                _(
                    "status_date %(date)s is before the latest follow-up (%(latest)s); "
                    "correct earlier updates in the admin"
                )
                % {"date": day, "latest": recommendation.status_date}
            )
        self._require("add", FollowUp)
        services.record_follow_up(
            recommendation=recommendation,
            status=status,
            date=day,
            note=self.note,
            recorded_by=self.user,
        )
        self.wrote = True


def _same(recommendation: Recommendation | None, name: str, wanted: list) -> bool:
    if recommendation is None:
        return not wanted
    current = {item.pk for item in getattr(recommendation, name).all()}
    return current == {item.pk for item in wanted}


def _follow_up(cells: dict) -> tuple[str, date | None] | None:
    status_text = cells.get("current_status", "").strip()
    date_text = cells.get("status_date", "").strip()
    if not status_text and not date_text:
        return None
    bad = _Collector()
    if not status_text:
        bad.add(_("status_date is given without a current_status"))
    status = bad(_choice, status_text, Status, "current_status") if status_text else None
    day = bad(_date, date_text, "status_date")
    if bad.messages:
        raise _Bad(*bad.messages)
    return status, day


def _action(created: bool, changed: list[str]) -> str:
    return CREATE if created else UPDATE if changed else UNCHANGED


def plan_import(file, *, filename: str, user: AbstractBaseUser | None = None) -> ImportPlan:
    """A dry run: read and check the file and say what importing it would do; writes nothing.

    `file` is bytes or a binary file. Pass the `user` who will apply it so that rows they may
    not import show as problems now; None plans as the command line imports, with every right.
    """
    plan = ImportPlan(filename=filename)
    try:
        plan.sheets = read_sheets(file, filename=filename)
    except ImportRejected as rejected:
        plan.problems = rejected.problems
        return plan
    with transaction.atomic():
        _Import(plan=plan, user=user, dry_run=True).run(plan.sheets)
        transaction.set_rollback(True)
    return plan


def apply_import(plan: ImportPlan, *, user: AbstractBaseUser | None) -> ImportPlan:
    """Import a planned file in one transaction; raises ImportRejected, writing nothing, on any problem.

    None as `user` imports as the system, with every right (the command line without --user).
    """
    if not plan.ok:
        raise ImportRejected(plan.problems)
    done = ImportPlan(filename=plan.filename, sheets=plan.sheets)
    with transaction.atomic():
        _Import(plan=done, user=user, dry_run=False).run(plan.sheets)
        if done.problems:
            raise ImportRejected(done.problems)
    done.applied = True
    return done
