import pytest
from django.urls import reverse

from recommendations.models import ExportJob
from tests.factories.recommendations import RecommendationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_curator_requests_an_export_and_downloads_it_when_ready(
    curator_client, django_capture_on_commit_callbacks
):
    RecommendationFactory(published=True, reference="OAS2017-P1-01")

    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(
            reverse("admin:recommendations_exportjob_add"), {"format": "csv"}
        )

    assert response.status_code == 302
    job = ExportJob.objects.get()
    listing = curator_client.get(reverse("admin:recommendations_exportjob_changelist"))
    assert 'value="100"' in listing.content.decode()
    download = curator_client.get(
        reverse("admin:recommendations_exportjob_download", args=[job.pk])
    )
    assert download.status_code == 200
    assert b"OAS2017-P1-01" in b"".join(download.streaming_content)


def test_rapporteur_cannot_download_exports(rapporteur_client):
    job = ExportJob.objects.create(format="csv", state=ExportJob.State.READY)

    response = rapporteur_client.get(
        reverse("admin:recommendations_exportjob_download", args=[job.pk])
    )

    assert response.status_code == 403


def test_an_export_still_running_shows_its_progress_and_refreshes(curator_client):
    ExportJob.objects.create(
        format="xlsx", state=ExportJob.State.RUNNING, rows_total=200, rows_done=50
    )

    response = curator_client.get(reverse("admin:recommendations_exportjob_changelist"))

    content = response.content.decode()
    assert 'value="25"' in content
    assert 'http-equiv="refresh"' in content
