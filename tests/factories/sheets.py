"""Spreadsheet files for import tests: rows in the export formats, as CSV or XLSX bytes."""

import csv
import io

import pytest
from django.apps import apps
from openpyxl import Workbook

from recommendations import exports
from tests.factories.objectives import GuidingPrincipleFactory, ObjectiveFactory


def recommendation_cells(**cells: str) -> dict[str, str]:
    """A row for a new draft recommendation at a new event, with `cells` changed."""
    row = {
        "reference": "TEST2024-P1-01",
        "short_title": "Open regular pathways",
        "text": "States should open regular pathways for migrant workers.",
        "language": "en",
        "event": "TEST2024",
        "event_title": "Test consultation 2024",
        "primary_objective": "5",
        "objectives": "5; 7",
        "objective_sources": "5:in_source; 7:curator",
        "principles": "4",
        "addressees": "States",
        "countries": "MX; GT",
        "state": "draft",
    }
    row.update(cells)
    return row


def csv_file(rows: list[dict], columns: list[str] | None = None, delimiter: str = ",") -> bytes:
    """A CSV file as the tracker writes it: BOM, header, rows; missing cells blank."""
    columns = columns or exports.COLUMNS
    text = io.StringIO(newline="")
    text.write("\ufeff")
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return text.getvalue().encode()


def xlsx_file(sheets: dict[str, tuple[list[str], list[list]]]) -> bytes:
    """A workbook with one sheet per name: (columns, rows of cell values)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, (columns, rows) in sheets.items():
        sheet = workbook.create_sheet(name)
        sheet.append(columns)
        for row in rows:
            sheet.append(row)
    target = io.BytesIO()
    workbook.save(target)
    return target.getvalue()


@pytest.fixture
def compact(db):
    """The 23 objectives and 10 guiding principles, as factories make them."""
    for number in range(1, 24):
        ObjectiveFactory(number=number)
    for number in range(1, 11):
        GuidingPrincipleFactory(number=number)


def database_state() -> dict[str, list[tuple]]:
    """Every row of every table, M2M tables included, to show that nothing changed."""
    state = {}
    for model in apps.get_models(include_auto_created=True):
        names = [field.attname for field in model._meta.concrete_fields]
        rows = model._base_manager.order_by("pk").values_list(*names)
        state[model._meta.label_lower] = list(rows)
    return state
