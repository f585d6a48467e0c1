"""A file the tracker exports, imported into an empty tracker, rebuilds the same data."""

import csv
import datetime
import io

import pytest
from django.db import connection, transaction

from consultations.models import Event, Organization, Participation, Person, Session
from recommendations import exports, sheets
from recommendations.imports import apply_import, plan_import
from recommendations.models import Addressee, FollowUp, Recommendation, Status
from recommendations.seed import load_seed
from recommendations.services import record_follow_up
from tests.factories.sheets import database_state

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker):
    """The seed corpus with some follow-up and a draft, loaded once for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_seed()
        first, second, draft = Recommendation.objects.order_by("reference")[:3]
        record_follow_up(
            recommendation=first, status=Status.IN_PROGRESS, date=datetime.date(2023, 5, 2)
        )
        record_follow_up(
            recommendation=second, status=Status.REGRESSED, date=datetime.date(2024, 1, 9)
        )
        draft.state = Recommendation.State.DRAFT
        draft.text = '=HYPERLINK("https://example.org")\n- States should act; now.'
        draft.save()
        yield
        transaction.set_rollback(True)


def tables() -> dict[str, list[list[str]]]:
    """What the tracker's files say, sheet by sheet."""
    return {
        name: list(rows) for name, rows in sheets.full_tables(Recommendation.objects.all()).items()
    }


def names() -> dict[str, list]:
    """The people, organizations and addressees, without the slugs the sheets leave out."""
    return {
        "people": sorted(Person.objects.values_list("name", "affiliation", "organization__name")),
        "organizations": sorted(
            Organization.objects.values_list("name", "acronym", "kind", "country", "website")
        ),
        "addressees": sorted(Addressee.objects.values_list("name", flat=True)),
    }


def wipe():
    """Everything the sheets carry, gone; the objectives and principles stay."""
    with connection.cursor() as cursor:
        # Follow-up updates are append-only; only a test may sweep them away.
        cursor.execute(f"DELETE FROM {FollowUp._meta.db_table}")  # noqa: S608
    Recommendation.objects.all().delete()
    Participation.objects.all().delete()
    Session.objects.all().delete()
    Event.objects.all().delete()
    Addressee.objects.all().delete()
    Person.objects.all().delete()
    Organization.objects.all().delete()


def workbook() -> tuple[bytes, str]:
    target = io.BytesIO()
    sheets.write_workbook(sheets.full_tables(Recommendation.objects.all()), target)
    return target.getvalue(), "tracker.xlsx"


def csv_files() -> list[tuple[bytes, str]]:
    files = []
    for name, table in sheets.full_tables(Recommendation.objects.all()).items():
        text = io.StringIO(newline="")
        sheets.write_sheet_csv(sheets.SHEETS[name], table, text)
        files.append((text.getvalue().encode(), f"{name}.csv"))
    return files


def import_all(files: list[tuple[bytes, str]]):
    for data, filename in files:
        planned = plan_import(data, filename=filename)
        assert planned.ok, [str(problem) for problem in planned.problems[:5]]
        apply_import(planned, user=None)


@pytest.mark.parametrize("form", ["one workbook", "four CSV files"])
def test_exported_files_rebuild_the_same_data_in_an_empty_tracker(corpus, form):
    files = [workbook()] if form == "one workbook" else csv_files()
    before_tables, before_names = tables(), names()
    assert len(before_tables["recommendations"]) == 195
    private = set(Person.objects.exclude(email="").values_list("email", flat=True))
    assert private, "the seed corpus keeps some e-mail addresses"
    cells = {cell for table in before_tables.values() for row in table for cell in row}
    assert not [cell for cell in cells for email in private if email in cell]

    wipe()
    assert not Recommendation.objects.exists()
    import_all(files)

    after_tables = tables()
    for name in sheets.SHEETS:
        assert after_tables[name] == before_tables[name], name
    assert names() == before_names
    draft = Recommendation.objects.get(text__startswith="=HYPERLINK")
    assert draft.state == Recommendation.State.DRAFT


def test_reimporting_an_export_of_the_tracker_changes_nothing(corpus):
    data, filename = workbook()
    before = database_state()

    planned = plan_import(data, filename=filename)
    done = apply_import(planned, user=None)

    assert database_state() == before
    assert not done.created and not done.updated
    assert done.counts("unchanged") == (
        f"{Organization.objects.count()} organizations, {Person.objects.count()} people, "
        "4 events, 20 sessions, 91 participations, 195 recommendations"
    )


def test_an_edited_recommendations_csv_changes_only_what_was_edited(corpus, curator):
    text = io.StringIO(newline="")
    exports.write_csv(exports.rows(Recommendation.objects.order_by("reference")), text)
    table = list(csv.reader(io.StringIO(text.getvalue().removeprefix("\ufeff"), newline="")))
    edited = next(row for row in table if row[0] == "OAS2017-P1-01")
    column = exports.COLUMNS.index("objective_sources")
    edited[column] = edited[column].replace(":curator", ":in_source")
    edited[exports.COLUMNS.index("short_title")] = "Balance security and rights"
    result = io.StringIO(newline="")
    csv.writer(result).writerows(table)

    planned = plan_import(result.getvalue().encode(), filename="edited.csv", user=curator)
    done = apply_import(planned, user=curator)

    assert [str(change) for change in done.updated] == [
        "update recommendation OAS2017-P1-01 (short_title, objectives)"
    ]
    assert len(done.skipped) == 194
    tags = Recommendation.objects.get(reference="OAS2017-P1-01").objective_links.all()
    assert {(tag.source, tag.tagged_by) for tag in tags} == {("in_source", curator)}
