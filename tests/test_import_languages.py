"""The importer speaks the language of the admin it is used in: its problems, warnings and
changes are translated; column names and the file's values stay as they are in the file."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from recommendations.imports import CREATE, Change, Problem, plan_import
from recommendations.models import Recommendation
from tests.factories.consultations import EventFactory
from tests.factories.sheets import (  # noqa: F401  (compact is a fixture)
    compact,
    csv_file,
    recommendation_cells,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("compact")]
URL = "admin:recommendations_import"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(*rows: dict) -> SimpleUploadedFile:
    return SimpleUploadedFile("notas.csv", csv_file(list(rows)), content_type="text/csv")


def page_of(response) -> str:
    return html.unescape(response.content.decode())


def admin_url(language: str) -> str:
    with translation.override(language):
        return reverse(URL)


def test_the_admin_import_is_under_the_language_prefix():
    assert admin_url("es").startswith("/es/admin/")
    assert admin_url("en").startswith("/admin/")


def test_a_spanish_import_names_a_bad_row_in_spanish(rapporteur_client):
    response = rapporteur_client.post(
        admin_url("es"),
        {
            "file": upload(
                recommendation_cells(),
                recommendation_cells(
                    reference="TEST2024-P1-02", objectives="5; 7; 99", countries="MX; XX"
                ),
            )
        },
    )

    page = page_of(response)
    assert response.status_code == 200
    assert "No se puede importar el archivo: 2 problemas. No se escribió nada." in page
    assert "Fila 3: objetivo desconocido 99" in page
    # The cell's own value stays as it is in the file.
    assert "Fila 3: código de país desconocido 'XX'" in page
    assert "unknown" not in page and "Row 3" not in page
    assert not Recommendation.objects.exists()


def test_a_spanish_rapporteur_is_told_in_spanish_that_publishing_is_not_theirs(
    rapporteur_client,
):
    response = rapporteur_client.post(
        admin_url("es"), {"file": upload(recommendation_cells(state="published"))}
    )

    assert (
        "Fila 2: publicar requiere el permiso para publicar recomendaciones: "
        "impórtela como borrador" in page_of(response)
    )


def test_a_spanish_plan_counts_and_lists_its_changes_in_spanish(rapporteur_client):
    response = rapporteur_client.post(
        admin_url("es"),
        {
            "file": upload(
                recommendation_cells(),
                recommendation_cells(reference="TEST2024-P1-02", addressees="States; Cities"),
            )
        },
    )

    page = page_of(response)
    assert "Confirmar la importación" in page
    assert "1 evento, 2 destinatarios, 2 recomendaciones" in page
    assert "crear evento TEST2024" in page
    assert "crear recomendación TEST2024-P1-01" in page
    assert "crear destinatario Cities" in page
    assert "create recommendation" not in page


def test_a_spanish_confirmation_says_what_was_created_in_spanish(rapporteur_client):
    url = admin_url("es")
    token = rapporteur_client.post(url, {"file": upload(recommendation_cells())}).context["token"]

    response = rapporteur_client.post(url, {"confirm": token}, follow=True)

    shown = [str(message) for message in response.context["messages"]]
    assert shown == [
        "Se importó notas.csv. Creado: 1 evento, 1 destinatario, 1 recomendación. "
        "Actualizado: nada."
    ]
    assert Recommendation.objects.filter(reference="TEST2024-P1-01").exists()


def test_a_spanish_plan_warns_in_spanish_and_shows_updates_in_spanish(rapporteur_client):
    EventFactory(code="TEST2024", title="Test consultation 2024")
    url = admin_url("es")
    token = rapporteur_client.post(url, {"file": upload(recommendation_cells())}).context["token"]
    rapporteur_client.post(url, {"confirm": token})

    response = rapporteur_client.post(
        url,
        {
            "file": upload(
                recommendation_cells(short_title="Edited title", event_title="Another title")
            )
        },
    )

    page = page_of(response)
    assert "actualizar recomendación TEST2024-P1-01 (short_title)" in page
    assert (
        "Fila 2: el evento TEST2024 se titula 'Test consultation 2024' en el sistema; "
        "el event_title de aquí no se usa (cámbielo en la hoja de eventos)" in page
    )


@pytest.mark.parametrize(
    ("language", "problem", "counted", "change", "empty"),
    [
        (
            "es",
            "Fila 3: objetivo desconocido 99",
            "1 evento, 1 destinatario, 1 recomendación",
            "crear recomendación TEST2024-P1-01",
            "El archivo está vacío.",
        ),
        (
            "pt",
            "Linha 3: objetivo desconhecido 99",
            "1 evento, 1 destinatário, 1 recomendação",
            "criar recomendação TEST2024-P1-01",
            "O arquivo está vazio.",
        ),
        (
            "fr",
            "Ligne 3 : objectif inconnu 99",
            "1 événement, 1 destinataire, 1 recommandation",
            "créer recommandation TEST2024-P1-01",
            "Le fichier est vide.",
        ),
        (
            "en",
            "Row 3: unknown objective 99",
            "1 event, 1 addressee, 1 recommendation",
            "create recommendation TEST2024-P1-01",
            "The file is empty.",
        ),
    ],
)
def test_plans_speak_each_language_of_the_site(language, problem, counted, change, empty):
    good = recommendation_cells()
    bad = recommendation_cells(reference="TEST2024-P1-02", objectives="5; 7; 99")

    with translation.override(language):
        refused = plan_import(csv_file([good, bad]), filename="notes.csv")
        planned = plan_import(csv_file([good]), filename="notes.csv")
        nothing = plan_import(b"", filename="notes.csv")

        assert [str(found) for found in refused.problems] == [problem]
        assert planned.counts(CREATE) == counted
        assert str(planned.changes[-1]) == change
        assert [str(found) for found in nothing.problems] == [empty]


def test_a_problem_on_a_named_sheet_names_it_in_the_language():
    problem = Problem("falta el evento", 4, "Sesiones")

    with translation.override("es"):
        assert str(problem) == "Sesiones, fila 4: falta el evento"
    with translation.override("fr"):
        assert str(problem) == "Sesiones, ligne 4 : falta el evento"
    assert str(problem) == "Sesiones, row 4: falta el evento"


def test_a_change_names_its_kind_in_the_language():
    change = Change("session", "TEST2024 P1", "update", ("title", "order"))

    with translation.override("pt"):
        assert str(change) == "atualizar sessão TEST2024 P1 (title, order)"
    assert str(change) == "update session TEST2024 P1 (title, order)"


def test_the_command_line_still_reports_in_english(tmp_path, capsys):
    path = tmp_path / "notes.csv"
    path.write_bytes(csv_file([recommendation_cells()]))

    call_command("import_recommendations", str(path), "--dry-run")

    printed = capsys.readouterr().out
    assert "create recommendation TEST2024-P1-01" in printed
    assert "would create: 1 event, 1 addressee, 1 recommendation" in printed
