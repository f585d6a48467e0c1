"""CSV answers of list endpoints, streamed, with the export format's conventions."""

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer

from recommendations.exports import SEPARATOR, neutralise

# A nested object shown in one cell is named by the first of these it has.
IDENTIFYING_KEYS = ("reference", "code", "slug", "number", "id")


class CSVRenderer(BaseRenderer):
    """Announces text/csv to content negotiation; list views stream the body themselves."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return b"" if data is None else str(data).encode(self.charset)


class _Echo:
    def write(self, value):
        return value


def stream_csv(columns: list[str], rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    """A CSV download: BOM, header, then one row per item, formulas neutralised."""

    def lines() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff"  # So spreadsheet programs read the file as UTF-8.
        yield writer.writerow(columns)
        for cells in rows:
            yield writer.writerow([neutralise(str(cell)) for cell in cells])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _identifies(serializer: serializers.Serializer) -> bool:
    return any(key in serializer.fields for key in IDENTIFYING_KEYS)


def columns_of(serializer: serializers.Serializer, prefix: str = "") -> list[str]:
    """Flat column names: nested objects without an identifying key spread over columns."""
    columns = []
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.Serializer) and not _identifies(field):
            columns += columns_of(field, f"{prefix}{name}.")
        elif getattr(field, "subkeys", None):
            columns += [f"{prefix}{name}.{key}" for key in field.subkeys]
        else:
            columns.append(prefix + name)
    return columns


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return next((str(value[key]) for key in IDENTIFYING_KEYS if key in value), "")
    if isinstance(value, list):
        return SEPARATOR.join(_cell(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def cells_of(item: dict, columns: list[str]) -> list[str]:
    """One serialized item as cells in `columns` order."""
    cells = []
    for column in columns:
        value = item
        for key in column.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        cells.append(_cell(value))
    return cells
