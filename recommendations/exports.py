"""The spreadsheet format of recommendations: one row each, the same columns for every export.

The public lists, the API's CSV and the importer share these columns, so a downloaded file,
edited and uploaded again, round-trips. Multi-valued cells are separated by "; ".
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook

from recommendations.models import Recommendation, RecommendationObjective

COLUMNS = [
    "reference",
    "short_title",
    "text",
    "language",
    "event",
    "event_title",
    "year",
    "session",
    "session_title",
    "session_format",
    "speaker",
    "organization",
    "organization_kind",
    "primary_objective",
    "objectives",
    "objective_sources",
    "principles",
    "addressees",
    "countries",
    "state",
    "current_status",
    "status_date",
    "url",
]
SEPARATOR = "; "
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 2000


def neutralise(value: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def restore(value: str) -> str:
    """Undo `neutralise` when a file comes back for import."""
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def for_export(queryset: QuerySet) -> QuerySet:
    """The queryset with everything a row needs, in a fixed number of queries per chunk."""
    return queryset.select_related("event", "session", "speaker", "organization").prefetch_related(
        Prefetch(
            "objective_links",
            queryset=RecommendationObjective.objects.select_related("objective"),
        ),
        "principles",
        "addressees",
    )


def row(recommendation: Recommendation, base_url: str = "") -> list[str]:
    """One recommendation as a list of cells in COLUMNS order."""
    links = sorted(
        recommendation.objective_links.all(),
        key=lambda tag: (not tag.is_primary, tag.objective.number),
    )
    primary = next((tag.objective.number for tag in links if tag.is_primary), "")
    session = recommendation.session
    organization = recommendation.organization
    cells = [
        recommendation.reference,
        recommendation.short_title,
        recommendation.text,
        recommendation.language,
        recommendation.event.code,
        recommendation.event.title,
        recommendation.event.year or "",
        session.code if session else "",
        session.title if session else "",
        session.format if session else "",
        recommendation.speaker.name if recommendation.speaker else "",
        organization.name if organization else "",
        organization.kind if organization else "",
        primary,
        SEPARATOR.join(str(tag.objective.number) for tag in links),
        SEPARATOR.join(f"{tag.objective.number}:{tag.source}" for tag in links),
        SEPARATOR.join(
            str(p.number) for p in sorted(recommendation.principles.all(), key=lambda p: p.number)
        ),
        SEPARATOR.join(
            a.name for a in sorted(recommendation.addressees.all(), key=lambda a: a.name)
        ),
        SEPARATOR.join(c.code for c in recommendation.countries),
        recommendation.state,
        recommendation.current_status,
        recommendation.status_date.isoformat() if recommendation.status_date else "",
        base_url + recommendation.get_absolute_url() if base_url else "",
    ]
    return [neutralise(str(cell)) for cell in cells]


def rows(queryset: QuerySet, base_url: str = "") -> Iterator[list[str]]:
    """Rows for every recommendation in `queryset`, read in chunks so memory stays flat."""
    for recommendation in for_export(queryset).iterator(chunk_size=CHUNK_SIZE):
        yield row(recommendation, base_url)


class _Echo:
    def write(self, value):
        return value


def _csv_lines(table: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # So spreadsheet programs read the file as UTF-8.
    yield writer.writerow(COLUMNS)
    for cells in table:
        yield writer.writerow(cells)


def csv_response(queryset: QuerySet, filename: str, base_url: str = "") -> StreamingHttpResponse:
    """Stream the recommendations as CSV."""
    response = StreamingHttpResponse(
        _csv_lines(rows(queryset, base_url)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def write_xlsx(queryset: QuerySet, target, base_url: str = "") -> None:
    """Write the recommendations as an XLSX workbook to `target` (a path or binary file)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("recommendations")
    sheet.append(COLUMNS)
    for cells in rows(queryset, base_url):
        sheet.append(cells)
    workbook.save(target)


def xlsx_response(queryset: QuerySet, filename: str, base_url: str = "") -> FileResponse:
    """The recommendations as an XLSX download, built in a temporary file, not in memory."""
    # FileResponse closes the file once it is sent.
    spool = tempfile.TemporaryFile()  # noqa: SIM115
    write_xlsx(queryset, spool, base_url)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
