import csv
import io
import json
import zipfile

import pytest
from openpyxl import load_workbook

from consultations.models import Participation
from recommendations.exports import COLUMNS
from recommendations.models import ExportJob
from recommendations.services import build_export, request_export
from tests.factories.consultations import ParticipationFactory
from tests.factories.recommendations import RecommendationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def data_set():
    published = RecommendationFactory(
        published=True, reference="LAC2021-T1-01", short_title="=HYPERLINK(evil)"
    )
    RecommendationFactory(reference="LAC2021-T1-02", text="A draft nobody may see yet.")
    ParticipationFactory(role=Participation.Role.CHAT_COMMENTER, person__name="Chat Only")
    return published


def test_csv_export_holds_published_recommendations_in_the_import_columns(data_set, curator):
    job = build_export(job=ExportJob.objects.create(format="csv", requested_by=curator))

    assert (job.state, job.progress, job.rows_total) == ("ready", 100, 1)
    with job.file.open("rb") as built:
        table = list(csv.reader(io.StringIO(built.read().decode("utf-8-sig"))))
    assert table[0] == COLUMNS
    assert [row[0] for row in table[1:]] == ["LAC2021-T1-01"]
    # A cell a spreadsheet would run as a formula is neutralised.
    assert table[1][1] == "'=HYPERLINK(evil)"


def test_xlsx_export_opens_in_a_spreadsheet(data_set):
    job = build_export(job=ExportJob.objects.create(format="xlsx"))

    with job.file.open("rb") as built:
        sheet = load_workbook(built, read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    assert rows[1][0] == "LAC2021-T1-01"
    assert rows[1][1] == "'=HYPERLINK(evil)"


def test_json_archive_has_a_manifest_and_no_private_data(data_set):
    job = build_export(job=ExportJob.objects.create(format="json"))

    with job.file.open("rb") as built, zipfile.ZipFile(built) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        everything = b"".join(archive.read(name) for name in archive.namelist()).decode()
        people = [json.loads(line) for line in archive.read("people.jsonl").splitlines()]
    assert manifest["version"] == 1
    assert manifest["counts"]["recommendations"] == 1
    assert manifest["counts"]["people"] == len(people) == 0
    assert "LAC2021-T1-02" not in everything
    assert "@example.org" not in everything
    assert "Chat Only" not in everything


def test_a_ready_export_is_not_built_again(data_set):
    job = build_export(job=ExportJob.objects.create(format="csv"))
    first_file = job.file.name

    again = build_export(job=job)

    assert again.file.name == first_file


def test_requesting_an_export_queues_it_once_committed(
    data_set, curator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = request_export(format="csv", requested_by=curator)

    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.state == ExportJob.State.READY


def test_an_unknown_format_is_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        request_export(format="pdf", requested_by=None)
    assert not ExportJob.objects.exists()
