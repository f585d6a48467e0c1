"""apply_import writes a planned file in one transaction: all of it, or nothing at all."""

import datetime

import pytest

from consultations.models import Event, Organization, Person, Session
from recommendations.imports import ImportRejected, apply_import, plan_import
from recommendations.models import Addressee, FollowUp, Recommendation, Status
from tests.factories.consultations import EventFactory
from tests.factories.recommendations import RecommendationFactory
from tests.factories.sheets import (  # noqa: F401  (compact is a fixture)
    compact,
    csv_file,
    database_state,
    recommendation_cells,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("compact")]


def import_rows(rows: list[dict], *, user=None):
    planned = plan_import(csv_file(rows), filename="recommendations.csv", user=user)
    return apply_import(planned, user=user)


def test_apply_writes_the_rows_with_their_tags_people_and_status(curator):
    done = import_rows(
        [
            recommendation_cells(
                speaker="Ana Pérez",
                organization="Red Migrante",
                organization_kind="civil_society",
                session="P1",
                session_title="Panel 1",
                session_format="panel",
                addressees="States; National parliaments",
                state="published",
                current_status="in_progress",
                status_date="2024-03-01",
            )
        ],
        user=curator,
    )
    assert done.applied
    recommendation = Recommendation.objects.get(reference="TEST2024-P1-01")
    assert recommendation.is_published and recommendation.published_at
    assert recommendation.event.title == "Test consultation 2024"
    assert recommendation.event.kind == Event.Kind.CONSULTATION
    assert (recommendation.session.code, recommendation.session.format) == ("P1", "panel")
    assert recommendation.speaker.name == "Ana Pérez"
    assert recommendation.organization.kind == Organization.Kind.CIVIL_SOCIETY
    assert [
        (tag.objective.number, tag.is_primary, tag.source, tag.tagged_by)
        for tag in recommendation.objective_links.all()
    ] == [(5, True, "in_source", curator), (7, False, "curator", curator)]
    assert list(recommendation.principles.values_list("number", flat=True)) == [4]
    assert sorted(recommendation.addressees.values_list("name", flat=True)) == [
        "National parliaments",
        "States",
    ]
    assert [country.code for country in recommendation.countries] == ["GT", "MX"]
    update = FollowUp.objects.get(recommendation=recommendation)
    assert (update.status, update.date, update.recorded_by) == (
        Status.IN_PROGRESS,
        datetime.date(2024, 3, 1),
        curator,
    )
    assert update.note == "Imported from recommendations.csv"
    assert recommendation.current_status == Status.IN_PROGRESS
    assert {entry.history_user for entry in recommendation.history.filter(history_type="+")} == {
        curator
    }


def test_a_bad_row_aborts_the_whole_import():
    RecommendationFactory(reference="TEST2024-P1-09", event=EventFactory(code="TEST2024"))
    before = database_state()
    planned = plan_import(
        csv_file(
            [
                recommendation_cells(),
                recommendation_cells(reference="TEST2024-P1-09", short_title="Changed"),
                recommendation_cells(
                    reference="TEST2024-P1-03", objectives="27", objective_sources=""
                ),
            ]
        ),
        filename="recommendations.csv",
    )
    with pytest.raises(ImportRejected) as rejected:
        apply_import(planned, user=None)
    assert [str(problem) for problem in rejected.value.problems] == ["Row 4: unknown objective 27"]
    assert database_state() == before


def test_rows_that_fail_only_when_applied_leave_nothing_written(rapporteur):
    before = database_state()
    planned = plan_import(
        csv_file(
            [
                recommendation_cells(speaker="Somebody New"),
                recommendation_cells(reference="TEST2024-P1-02", state="published"),
            ]
        ),
        filename="recommendations.csv",
    )
    assert planned.ok
    with pytest.raises(ImportRejected, match="Row 3: publishing needs the permission"):
        apply_import(planned, user=rapporteur)
    assert database_state() == before
    assert not Person.objects.filter(name="Somebody New").exists()


def test_reimporting_the_same_file_changes_nothing_not_even_updated_at(curator):
    rows = [
        recommendation_cells(
            speaker="Ana Pérez",
            organization="Red Migrante",
            session="P1",
            session_title="Panel 1",
            state="published",
            current_status="in_progress",
            status_date="2024-03-01",
        ),
        recommendation_cells(reference="TEST2024-P1-02", objectives="", objective_sources=""),
    ]
    import_rows(rows, user=curator)
    before = database_state()

    again = import_rows(rows, user=curator)

    assert database_state() == before
    assert not again.created and not again.updated
    assert [str(change) for change in again.skipped] == [
        "unchanged recommendation TEST2024-P1-01",
        "unchanged recommendation TEST2024-P1-02",
    ]


def test_people_organizations_and_addressees_are_never_duplicated():
    import_rows(
        [
            recommendation_cells(speaker="José Martínez", organization="Red Migrante"),
            recommendation_cells(
                reference="TEST2024-P1-02",
                speaker="JOSE MARTINEZ",
                organization="red migrante",
                addressees="states",
            ),
        ]
    )
    assert list(Person.objects.values_list("name", "slug")) == [("José Martínez", "jose-martinez")]
    assert Organization.objects.count() == 1
    assert list(Addressee.objects.values_list("name", flat=True)) == ["States"]
    assert Session.objects.count() == 0


def test_a_later_status_is_recorded_and_an_earlier_one_refused(curator):
    import_rows(
        [recommendation_cells(current_status="in_progress", status_date="2024-03-01")],
        user=curator,
    )
    import_rows(
        [recommendation_cells(current_status="implemented", status_date="2024-06-01")],
        user=curator,
    )
    recommendation = Recommendation.objects.get()
    assert recommendation.current_status == Status.IMPLEMENTED
    assert recommendation.follow_ups.count() == 2
    with pytest.raises(ImportRejected) as rejected:
        import_rows(
            [recommendation_cells(current_status="regressed", status_date="2024-01-01")],
            user=curator,
        )
    assert str(rejected.value) == (
        "Row 2: status_date 2024-01-01 is before the latest follow-up (2024-06-01); "
        "correct earlier updates in the admin"
    )
    assert recommendation.follow_ups.count() == 2
