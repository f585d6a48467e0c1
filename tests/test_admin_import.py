import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recommendations.exports import COLUMNS
from recommendations.models import Recommendation
from recommendations.roles import CURATOR
from tests.factories.consultations import EventFactory
from tests.factories.objectives import ObjectiveFactory

pytestmark = pytest.mark.django_db
URL = "admin:recommendations_import"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def event():
    ObjectiveFactory(number=4)
    ObjectiveFactory(number=21)
    return EventFactory(code="LAC2021", title="Regional review 2021")


def _csv(*rows) -> SimpleUploadedFile:
    table = io.StringIO()
    table.write(",".join(COLUMNS) + "\n")
    for cells in rows:
        table.write(",".join(cells.get(column, "") for column in COLUMNS) + "\n")
    return SimpleUploadedFile("notes.csv", table.getvalue().encode(), content_type="text/csv")


def _row(reference, objectives="4", **cells):
    return {
        "reference": reference,
        "short_title": "Birth registration at borders",
        "text": "Register births at border crossings.",
        "language": "en",
        "event": "LAC2021",
        "primary_objective": objectives.split(";")[0],
        "objectives": objectives,
        "state": "draft",
        **cells,
    }


def test_the_dry_run_shows_the_plan_and_writes_nothing(rapporteur_client, event):
    response = rapporteur_client.post(
        reverse(URL), {"file": _csv(_row("LAC2021-T2-40"), _row("LAC2021-T2-41"))}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Confirm the import" in page
    assert "LAC2021-T2-40" in page and "LAC2021-T2-41" in page
    assert not Recommendation.objects.exists()


def test_confirming_writes_everything_the_plan_showed(rapporteur_client, rapporteur, event):
    planned = rapporteur_client.post(reverse(URL), {"file": _csv(_row("LAC2021-T2-40"))})
    token = planned.context["token"]

    response = rapporteur_client.post(reverse(URL), {"confirm": token})

    assert response.status_code == 302
    imported = Recommendation.objects.get(reference="LAC2021-T2-40")
    assert imported.state == Recommendation.State.DRAFT
    assert list(imported.objectives.values_list("number", flat=True)) == [4]
    # The kept file is gone and the token cannot be used twice.
    again = rapporteur_client.post(reverse(URL), {"confirm": token})
    assert again.status_code == 302 and Recommendation.objects.count() == 1


def test_a_bad_row_is_named_and_nothing_can_be_confirmed(rapporteur_client, event):
    response = rapporteur_client.post(
        reverse(URL),
        {"file": _csv(_row("LAC2021-T2-40"), _row("LAC2021-T2-41", objectives="27"))},
    )

    page = response.content.decode()
    assert "Row 3" in page and "27" in page
    assert "Confirm the import" not in page
    assert "token" not in response.context
    assert not Recommendation.objects.exists()


def test_a_rapporteur_cannot_import_published_recommendations(rapporteur_client, event):
    response = rapporteur_client.post(
        reverse(URL), {"file": _csv(_row("LAC2021-T2-40", state="published"))}
    )

    assert "Confirm the import" not in response.content.decode()
    assert response.context["problems"]
    assert not Recommendation.objects.exists()


def test_someone_elses_pending_import_cannot_be_confirmed(
    rapporteur_client, event, client, django_user_model
):
    token = rapporteur_client.post(reverse(URL), {"file": _csv(_row("LAC2021-T2-40"))}).context[
        "token"
    ]
    other = django_user_model.objects.create_user(username="other-curator", is_staff=True)
    other.groups.add(Group.objects.get(name=CURATOR))
    from django.test import Client

    intruder = Client()
    intruder.force_login(other)

    response = intruder.post(reverse(URL), {"confirm": token})

    assert response.status_code == 302
    assert not Recommendation.objects.exists()


def test_a_binary_file_is_refused_with_a_clear_message(rapporteur_client, event):
    upload = SimpleUploadedFile(
        "notes.csv", b"\x89PNG\r\n\x1a\n\x00\x00binary", content_type="text/csv"
    )

    response = rapporteur_client.post(reverse(URL), {"file": upload})

    assert response.status_code == 200
    assert response.context["problems"]
    assert not Recommendation.objects.exists()


def test_the_public_cannot_reach_the_import(client):
    response = client.get(reverse(URL))
    assert response.status_code == 302 and "/login/" in response["Location"]
