"""`manage.py import_recommendations` prints the plan, then imports it unless told not to."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from recommendations.models import FollowUp, Recommendation
from tests.factories.sheets import (  # noqa: F401  (compact is a fixture)
    compact,
    csv_file,
    database_state,
    recommendation_cells,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("compact")]


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_recommendations", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def upload(tmp_path):
    path = tmp_path / "recommendations.csv"
    path.write_bytes(
        csv_file(
            [
                recommendation_cells(speaker="Ana Pérez"),
                recommendation_cells(
                    reference="TEST2024-P1-02",
                    state="published",
                    current_status="in_progress",
                    status_date="2024-03-01",
                ),
            ]
        )
    )
    return path


def test_dry_run_prints_the_plan_and_writes_nothing(upload):
    before = database_state()
    out, err = run(str(upload), "--dry-run")
    assert database_state() == before
    assert "  create recommendation TEST2024-P1-01\n" in out
    assert "would create: 1 event, 1 person, 1 addressee, 2 recommendations\n" in out
    assert out.endswith("Dry run: nothing was written.\n")
    assert err == ""


def test_the_command_imports_the_file_as_the_system_without_a_user(upload):
    out, _ = run(str(upload))
    assert "\ncreated: 1 event, 1 person, 1 addressee, 2 recommendations\n" in out
    assert "Imported recommendations.csv." in out
    published = Recommendation.objects.get(reference="TEST2024-P1-02")
    assert published.is_published and published.current_status == "in_progress"
    assert FollowUp.objects.get().recorded_by is None


def test_the_command_imports_as_a_user_with_their_permissions(upload, rapporteur, curator):
    with pytest.raises(CommandError, match="Nothing was imported: 1 problem"):
        run(str(upload), "--user", rapporteur.username)
    assert not Recommendation.objects.exists()

    run(str(upload), "--user", curator.username)
    assert FollowUp.objects.get().recorded_by == curator


def test_problems_are_printed_row_by_row_and_nothing_is_imported(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        csv_file([recommendation_cells(), recommendation_cells(reference="X-1", objectives="27")])
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_recommendations", str(path), stdout=out, stderr=err)
    assert "Row 3: unknown objective 27" in err.getvalue()
    assert not Recommendation.objects.exists()


def test_an_unknown_user_or_file_is_refused(upload, tmp_path):
    with pytest.raises(CommandError, match="There is no user 'nobody'"):
        run(str(upload), "--user", "nobody")
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "missing.csv"))
