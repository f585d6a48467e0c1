"""The spreadsheet format of recommendations: one row each, the same columns for every export.

The public lists, the API's CSV and the importer share these columns, so a downloaded file,
edited and uploaded again, round-trips. Multi-valued cells are separated by "; ".
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from urllib.parse import quote

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
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
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe.

    Text already starting with apostrophes before such a character gets one more, so that
    `restore` gives back exactly what was exported.
    """
    return "'" + value if value.lstrip("'").startswith(FORMULA_PREFIXES) else value


def restore(value: str) -> str:
    """Undo `neutralise` when a file comes back for import."""
    if value.startswith("'") and value.lstrip("'").startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def for_export(queryset: QuerySet) -> QuerySet:
    """The queryset with everything a row needs, in a fixed number of queries per chunk."""
    # Annotated so a speaker who only commented in a chat is never named in a file.
    queryset = queryset.with_public_speaker()
    return (
        queryset.select_related("event", "session", "speaker", "organization")
        # No column shows the stored search vectors, and they are the widest values read.
        .defer("search_vector", "session__search_vector")
        # Into plain lists: a prefetch into a related manager builds a queryset per row.
        .prefetch_related(
            Prefetch(
                "objective_links",
                queryset=RecommendationObjective.objects.select_related("objective"),
                to_attr="export_tags",
            ),
            Prefetch("principles", to_attr="export_principles"),
            Prefetch("addressees", to_attr="export_addressees"),
        )
    )


def _related(recommendation: Recommendation, prefetched: str, name: str) -> list:
    """What for_export prefetched into `prefetched`, or the relation `name` read now."""
    found = getattr(recommendation, prefetched, None)
    return found if found is not None else list(getattr(recommendation, name).all())


def row(recommendation: Recommendation, base_url: str = "", *, path_of=None) -> list[str]:
    """One recommendation as a list of cells in COLUMNS order.

    `path_of(reference)` gives its page's path; without it the page is looked up each time.
    """
    links = sorted(
        _related(recommendation, "export_tags", "objective_links"),
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
        recommendation.speaker.name
        if recommendation.speaker and getattr(recommendation, "speaker_is_public", True)
        else "",
        organization.name if organization else "",
        organization.kind if organization else "",
        primary,
        SEPARATOR.join(str(tag.objective.number) for tag in links),
        SEPARATOR.join(f"{tag.objective.number}:{tag.source}" for tag in links),
        SEPARATOR.join(
            str(p.number)
            for p in sorted(
                _related(recommendation, "export_principles", "principles"),
                key=lambda p: p.number,
            )
        ),
        SEPARATOR.join(
            a.name
            for a in sorted(
                _related(recommendation, "export_addressees", "addressees"),
                key=lambda a: a.name,
            )
        ),
        SEPARATOR.join(c.code for c in recommendation.countries),
        recommendation.state,
        recommendation.current_status,
        recommendation.status_date.isoformat() if recommendation.status_date else "",
        base_url + (path_of or _page_path)(recommendation.reference) if base_url else "",
    ]
    return [neutralise(str(cell)) for cell in cells]


def _page_path(reference: str) -> str:
    return reverse("recommendations:detail", kwargs={"reference": reference})


PATH_SAFE = "!$&'()*+,;=/~:@"


def _page_paths():
    """A recommendation's page path from its reference, resolving the URL pattern only once."""
    marker = "REFERENCE-MARKER"
    before, _, after = _page_path(marker).partition(marker)
    # Quoted as reverse() quotes a path argument.
    return lambda reference: f"{before}{quote(reference, safe=PATH_SAFE)}{after}"


def rows(queryset: QuerySet, base_url: str = "") -> Iterator[list[str]]:
    """Rows for every recommendation in `queryset`, read in chunks so memory stays flat."""
    path_of = _page_paths() if base_url else None
    for recommendation in for_export(queryset).iterator(chunk_size=CHUNK_SIZE):
        yield row(recommendation, base_url, path_of=path_of)


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


def write_csv(table: Iterable[list[str]], target) -> None:
    """Write rows, after the header, as CSV to `target`, a text file."""
    for line in _csv_lines(table):
        target.write(line)


def write_xlsx(table: Iterable[list[str]], target) -> None:
    """Write rows, after the header, as an XLSX workbook to `target` (a path or binary file)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("recommendations")
    sheet.append(COLUMNS)
    for cells in table:
        sheet.append(cells)
    workbook.save(target)


def xlsx_response(queryset: QuerySet, filename: str, base_url: str = "") -> FileResponse:
    """The recommendations as an XLSX download, built in a temporary file, not in memory."""
    # FileResponse closes the file once it is sent.
    spool = tempfile.TemporaryFile()  # noqa: SIM115
    write_xlsx(rows(queryset, base_url), spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


ARCHIVE_VERSION = 1


def _public_tables(recommendations: QuerySet, base_url: str) -> dict[str, tuple[QuerySet, list]]:
    """What the open-data archive holds: public rows and public fields only."""
    from consultations.models import Event, Organization, Person, Session
    from objectives.models import GuidingPrinciple, Objective
    from recommendations.models import FollowUp

    return {
        "objectives": (
            Objective.objects.order_by("number"),
            [
                "number",
                "paragraph",
                "short_title_en",
                "title_en",
                "title_es",
                "title_pt",
                "title_fr",
            ],
        ),
        "principles": (
            GuidingPrinciple.objects.order_by("number"),
            ["number", "slug", "name_en", "name_es", "name_pt", "name_fr"],
        ),
        "organizations": (
            Organization.objects.order_by("slug"),
            ["slug", "name", "acronym", "kind", "country"],
        ),
        "people": (
            Person.objects.public().order_by("slug"),
            ["slug", "name", "affiliation", "organization__slug"],
        ),
        "events": (
            Event.objects.order_by("code"),
            ["code", "title", "kind", "start_date", "end_date", "city", "country"],
        ),
        "sessions": (
            Session.objects.order_by("event__code", "order"),
            ["event__code", "code", "order", "title", "format", "starts_at", "time_zone"],
        ),
        "follow_ups": (
            FollowUp.objects.public().filter(recommendation__in=recommendations).order_by("id"),
            [
                "recommendation__reference",
                "status",
                "date",
                "note",
                "evidence_links",
                "corrects_id",
            ],
        ),
    }


def write_json_archive(
    recommendations: QuerySet, target, base_url: str = "", progress=None
) -> dict:
    """Write a zip of JSON-lines files and a manifest with their counts; returns the manifest.

    Each file is written row by row, so memory stays flat however large the data set.
    """
    import json
    import zipfile

    from django.core.serializers.json import DjangoJSONEncoder
    from django.utils import timezone

    counts = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("recommendations.jsonl", "w") as entry:
            counts["recommendations"] = 0
            for cells in (
                progress(rows(recommendations, base_url))
                if progress
                else rows(recommendations, base_url)
            ):
                entry.write(
                    (
                        json.dumps(dict(zip(COLUMNS, cells, strict=True)), ensure_ascii=False)
                        + "\n"
                    ).encode()
                )
                counts["recommendations"] += 1
        for name, (queryset, fields) in _public_tables(recommendations, base_url).items():
            counts[name] = 0
            with archive.open(f"{name}.jsonl", "w") as entry:
                for values in queryset.values(*fields).iterator(chunk_size=CHUNK_SIZE):
                    line = json.dumps(values, cls=DjangoJSONEncoder, ensure_ascii=False)
                    entry.write((line + "\n").encode())
                    counts[name] += 1
        manifest = {
            "format": "gcm-tracker-open-data",
            "version": ARCHIVE_VERSION,
            "created_at": timezone.now().isoformat(),
            "columns": {"recommendations": COLUMNS},
            "counts": counts,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return manifest
