"""Malformed files get a clear message and are never read into the database."""

import io
import zipfile

import pytest
from django.test import override_settings

from recommendations import exports, sheets
from recommendations.imports import ImportPlan, plan_import
from recommendations.models import Recommendation
from tests.factories.sheets import (  # noqa: F401  (compact is a fixture)
    compact,
    csv_file,
    database_state,
    recommendation_cells,
    xlsx_file,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("compact")]


def refused(data, filename="recommendations.csv") -> list[str]:
    """The problems plan_import finds; the database must not have changed."""
    before = database_state()
    planned = plan_import(data, filename=filename)
    assert database_state() == before
    assert not planned.ok
    return [str(problem) for problem in planned.problems]


def accepted(data, filename="recommendations.csv") -> ImportPlan:
    planned = plan_import(data, filename=filename)
    assert planned.ok, [str(problem) for problem in planned.problems]
    return planned


class Unreadable(io.BytesIO):
    """An upload that says how large it is and must not be read."""

    size = 50 * 1024 * 1024

    def read(self, *args):
        raise AssertionError("a file over the limit is refused before it is read")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    assert refused(Unreadable()) == [
        "The file is 50.0 MB; the tracker imports files of up to 10.0 MB: split it."
    ]


@override_settings(GCM_IMPORT_MAX_BYTES=2000)
def test_a_file_without_a_size_is_read_only_up_to_the_limit():
    stream = io.BytesIO(csv_file([recommendation_cells(text="x" * 5000)]))
    assert refused(stream) == [
        "The file is larger than 2.0 KB, the most the tracker imports: split it."
    ]
    assert stream.tell() == 2001


def test_text_that_is_not_utf8_is_refused():
    text = csv_file([recommendation_cells(short_title="Migración")]).decode()
    assert refused(text.removeprefix("\ufeff").encode("latin-1")) == [
        "The file is not UTF-8 text (the byte 0xf3 at position 274 is not UTF-8): save it as "
        "CSV UTF-8."
    ]


def test_utf8_with_or_without_the_byte_order_mark_is_read():
    with_bom = csv_file([recommendation_cells(short_title="Migración")])
    assert with_bom.startswith("\ufeff".encode())
    for data in (with_bom, with_bom.removeprefix("\ufeff".encode())):
        assert accepted(data).sheets[0].rows[0].cells["short_title"] == "Migración"


def test_csv_saved_with_semicolons_is_read():
    planned = accepted(csv_file([recommendation_cells()], delimiter=";"))
    assert planned.sheets[0].rows[0].cells["objectives"] == "5; 7"


def test_a_binary_file_named_csv_is_refused():
    assert refused(bytes(range(256)) * 4) == ["This is not a CSV text file: it holds binary data."]
    assert refused(xlsx_file({"recommendations": (exports.COLUMNS, [])})) == [
        "This is an XLSX workbook (or another zip file) named .csv: name it .xlsx, or save it "
        "from the spreadsheet program as CSV UTF-8."
    ]
    assert refused("reference,text".encode("utf-16")) == [
        "The file is UTF-16 text: save it as CSV UTF-8."
    ]


def test_files_that_are_not_csv_or_xlsx_are_refused():
    assert refused(b"reference", filename="recommendations.xls") == [
        "The tracker imports .csv and .xlsx files, not '.xls'."
    ]
    assert refused(b"reference,text\n", filename="recommendations.xlsx") == [
        "This is not an XLSX workbook: save it from the spreadsheet program as Excel Workbook "
        "(.xlsx) or as CSV UTF-8."
    ]
    assert refused(b"PK\x03\x04 damaged", filename="recommendations.xlsx") == [
        "The workbook is damaged: it cannot be opened."
    ]


def test_a_zip_that_is_not_a_workbook_is_refused():
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    assert refused(target.getvalue(), filename="recommendations.xlsx") == [
        "The workbook cannot be read (KeyError): open it in the spreadsheet program and save it "
        "again as .xlsx."
    ]


@override_settings(GCM_IMPORT_MAX_BYTES=100_000)
def test_a_workbook_that_unpacks_to_far_more_than_its_size_is_refused():
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 5_000_000)
    assert len(target.getvalue()) < 100_000
    assert refused(target.getvalue(), filename="recommendations.xlsx") == [
        "The workbook unpacks to far more data than a spreadsheet holds."
    ]


def test_empty_files_and_files_with_only_a_header_are_refused():
    assert refused(b"") == ["The file is empty."]
    assert refused(b"\xef\xbb\xbf \r\n\r\n") == ["The file is empty."]
    assert refused(csv_file([])) == ["There is no row to import below the header."]


def test_thousands_of_columns_are_refused():
    header = ",".join(exports.COLUMNS + [f"extra{n}" for n in range(5000)])
    assert refused(header.encode()) == [
        "the header row has more than 100 columns: is this the right file?"
    ]
    many = xlsx_file({"recommendations": ([f"c{n}" for n in range(3000)], [["x"] * 3000])})
    assert refused(many, filename="recommendations.xlsx") == [
        "the header row has more than 100 columns: is this the right file?"
    ]


@override_settings(GCM_IMPORT_MAX_ROWS=10)
def test_too_many_rows_are_refused():
    rows = [recommendation_cells(reference=f"TEST2024-P1-{n:02d}") for n in range(11)]
    assert refused(csv_file(rows)) == ["more than 10 rows; import at most 10 rows at a time"]
    assert accepted(csv_file(rows[:10]))


def test_missing_and_unknown_columns_are_named():
    columns = [c for c in exports.COLUMNS if c not in ("text", "event")] + ["priority"]
    assert refused(csv_file([recommendation_cells()], columns)) == [
        "Row 1: unknown column 'priority' in a recommendations sheet",
        "Row 1: missing column 'text', which a recommendations sheet needs",
        "Row 1: missing column 'event', which a recommendations sheet needs",
    ]
    assert refused(b"title,body\nA,B\n") == [
        "Row 1: the first row must name the columns (reference, short_title, text, event, …); "
        "none of its cells is a column of the tracker's sheets"
    ]
    assert refused(b"reference,short_title,text,event,text\nA,B,C,D,E\n") == [
        "Row 1: column 'text' appears twice"
    ]


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_refused():
    data = csv_file([recommendation_cells(text='=HYPERLINK("https://evil.example","Click")')])
    assert refused(data) == [
        "Row 2: text: starts with '=', so a spreadsheet would run it as a formula; if it is "
        "text, start it with an apostrophe ('=…)"
    ]


def test_a_neutralised_formula_comes_back_as_the_text_it_was():
    text = "=1+1 is what the delegate wrote; - and + and @ too"
    planned = accepted(csv_file([recommendation_cells(text=exports.neutralise(text))]))
    assert planned.sheets[0].rows[0].cells["text"] == text
    assert accepted(csv_file([recommendation_cells(short_title="- a dash first")]))


def test_formula_and_error_cells_of_a_workbook_are_refused():
    row = recommendation_cells()
    cells = [row.get(column, "") for column in exports.COLUMNS]
    formula = list(cells)
    formula[exports.COLUMNS.index("text")] = "=A1&B1"
    data = xlsx_file({"recommendations": (exports.COLUMNS, [cells, formula])})
    assert refused(data, filename="recommendations.xlsx") == [
        "Row 3: text: the cell holds a formula; type the value itself"
    ]


def test_huge_cells_and_control_characters_are_refused_row_by_row():
    data = csv_file(
        [
            recommendation_cells(text="x" * 100_001),
            recommendation_cells(reference="TEST2024-P1-02", short_title="bell\x07"),
            recommendation_cells(reference="TEST2024-P1-03", text="nul\x00"),
        ]
    )
    assert refused(data) == ["This is not a CSV text file: it holds binary data."]
    assert refused(data.replace(b"nul\x00", b"nul")) == [
        "Row 2: text: the cell holds 100001 characters; a cell may hold at most 100000",
        "Row 3: short_title: the cell holds the control character U+0007",
    ]
    assert refused(csv_file([recommendation_cells(text="x" * 200_000)])) == [
        "Row 2: the CSV cannot be read: field larger than field limit (131072)"
    ]


def test_cells_beyond_the_named_columns_are_refused():
    data = csv_file([recommendation_cells()]).rstrip(b"\r\n") + b",surprise\r\n"
    assert refused(data) == ["Row 2: the row has cells beyond the last of the 23 named columns"]


def test_wrong_types_in_a_workbook_are_read_as_text_and_checked():
    row = recommendation_cells()
    cells = [row.get(column, "") for column in exports.COLUMNS]
    cells[exports.COLUMNS.index("objectives")] = 5.0
    cells[exports.COLUMNS.index("primary_objective")] = 5
    cells[exports.COLUMNS.index("objective_sources")] = "5:in_source"
    cells[exports.COLUMNS.index("status_date")] = 3.5
    cells[exports.COLUMNS.index("current_status")] = True
    data = xlsx_file({"recommendations": (exports.COLUMNS, [cells])})
    assert refused(data, filename="recommendations.xlsx") == [
        "Row 2: current_status 'TRUE' not understood (use no_information, not_started, "
        "in_progress, partially_implemented, implemented, regressed)",
        "Row 2: status_date '3.5': date not understood (use YYYY-MM-DD)",
    ]


def test_a_workbook_names_the_sheet_of_each_problem():
    data = xlsx_file(
        {
            "events": (sheets.EVENT_COLUMNS, [["TEST2024", "Test", "summit"]]),
            "recommendations": (exports.COLUMNS, []),
        }
    )
    assert refused(data, filename="tracker.xlsx") == [
        "events, row 2: kind 'summit' not understood (use forum, regional_review, webinar, "
        "consultation)"
    ]
    assert not Recommendation.objects.exists()


def test_the_same_record_on_two_sheets_of_a_workbook_is_a_duplicate():
    row = ["Red Migrante", "RM", "civil_society", "MX", "https://example.org"]
    data = xlsx_file(
        {
            "first": (sheets.ORGANIZATION_COLUMNS, [row]),
            "second": (sheets.ORGANIZATION_COLUMNS, [row]),
        }
    )
    assert refused(data, filename="tracker.xlsx") == [
        "second, row 2: duplicate organization 'Red Migrante' (also on first, row 2)"
    ]
