"""apply_import writes a planned file in one transaction: all of it, or nothing at all."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultations.models import Event, Organization, Person, Session
from recommendations.imports import ImportRejected, apply_import, plan_import
from recommendations.models import (
    Addressee,
    FollowUp,
    Recommendation,
    RecommendationObjective,
    Status,
)
from tests.factories.consultations import EventFactory
from tests.factories.recommendations import AddresseeFactory, RecommendationFactory
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


def draft_rows(count: int, **cells: str) -> list[dict]:
    return [
        recommendation_cells(reference=f"TEST2024-P1-{number:03d}", **cells)
        for number in range(1, count + 1)
    ]


def test_draft_rows_are_written_together_in_queries_that_do_not_grow_with_the_file(curator):
    EventFactory(code="TEST2024", title="Test consultation 2024")
    AddresseeFactory(name="States", slug="states")
    few = csv_file(draft_rows(3))
    many = csv_file(draft_rows(40))
    # Once, so that what is read once per process (permissions, content types) is read.
    apply_import(plan_import(few, filename="few.csv", user=curator), user=curator)
    Recommendation.objects.all().delete()
    with CaptureQueriesContext(connection) as for_few:
        apply_import(plan_import(few, filename="few.csv", user=curator), user=curator)
    Recommendation.objects.all().delete()
    with CaptureQueriesContext(connection) as for_many:
        apply_import(plan_import(many, filename="many.csv", user=curator), user=curator)

    assert Recommendation.objects.count() == 40
    assert len(for_many.captured_queries) == len(for_few.captured_queries)


def test_draft_rows_written_together_keep_tags_relations_and_history(curator):
    EventFactory(code="TEST2024", title="Test consultation 2024")
    AddresseeFactory(name="States", slug="states")
    AddresseeFactory(name="National parliaments", slug="national-parliaments")
    rows = [
        *draft_rows(2),
        recommendation_cells(
            reference="TEST2024-P1-003",
            primary_objective="9",
            objectives="9",
            objective_sources="9:suggestion_reviewed",
            principles="1; 2",
            addressees="National parliaments; States",
            countries="",
            state="in_review",
        ),
    ]
    done = import_rows(rows, user=curator)

    assert [str(change) for change in done.created] == [
        "create recommendation TEST2024-P1-001",
        "create recommendation TEST2024-P1-002",
        "create recommendation TEST2024-P1-003",
    ]
    first, _second, third = Recommendation.objects.order_by("reference")
    assert [
        (tag.objective.number, tag.is_primary, tag.source, tag.tagged_by)
        for tag in first.objective_links.all()
    ] == [(5, True, "in_source", curator), (7, False, "curator", curator)]
    assert [(tag.objective.number, tag.source) for tag in third.objective_links.all()] == [
        (9, "suggestion_reviewed")
    ]
    assert sorted(third.principles.values_list("number", flat=True)) == [1, 2]
    assert sorted(third.addressees.values_list("name", flat=True)) == [
        "National parliaments",
        "States",
    ]
    assert [country.code for country in first.countries] == ["GT", "MX"]
    assert (third.state, list(third.countries), third.next_review_date) == ("in_review", [], None)
    assert first.created_at and first.updated_at
    created = first.history.get()
    assert (created.history_type, created.history_user, created.short_title) == (
        "+",
        curator,
        "Open regular pathways",
    )
    assert (created.event_id, created.reference) == (first.event_id, first.reference)
    tag_history = RecommendationObjective.history.filter(recommendation_id=first.pk)
    assert sorted((entry.objective.number, entry.history_type) for entry in tag_history) == [
        (5, "+"),
        (7, "+"),
    ]
    assert {entry.history_user for entry in tag_history} == {curator}


def test_draft_rows_edited_together_keep_the_tags_that_stay_and_record_the_change(curator):
    EventFactory(code="TEST2024", title="Test consultation 2024")
    AddresseeFactory(name="States", slug="states")
    import_rows(draft_rows(2), user=curator)
    kept = RecommendationObjective.objects.get(
        recommendation__reference="TEST2024-P1-001", objective__number=5
    )
    before = Recommendation.objects.get(reference="TEST2024-P1-001").updated_at

    done = import_rows(
        [
            recommendation_cells(
                reference="TEST2024-P1-001",
                short_title="Open more regular pathways",
                objectives="5; 9",
                objective_sources="5:in_source; 9:curator",
                principles="",
            ),
            recommendation_cells(reference="TEST2024-P1-002"),
        ],
        user=curator,
    )

    assert [str(change) for change in done.updated] == [
        "update recommendation TEST2024-P1-001 (short_title, objectives, principles)"
    ]
    assert [str(change) for change in done.skipped] == ["unchanged recommendation TEST2024-P1-002"]
    edited = Recommendation.objects.get(reference="TEST2024-P1-001")
    assert edited.short_title == "Open more regular pathways"
    assert edited.updated_at > before
    tags = list(edited.objective_links.all())
    assert [(tag.objective.number, tag.source) for tag in tags] == [
        (5, "in_source"),
        (9, "curator"),
    ]
    assert (tags[0].pk, tags[0].tagged_at) == (kept.pk, kept.tagged_at)
    assert not edited.principles.exists()
    assert list(edited.history.values_list("history_type", "short_title")) == [
        ("~", "Open more regular pathways"),
        ("+", "Open regular pathways"),
    ]
    removed = RecommendationObjective.history.get(history_type="-")
    assert (removed.recommendation_id, removed.objective.number) == (edited.pk, 7)


def test_a_row_that_must_create_a_record_is_written_at_once_and_warns_only_once(curator):
    EventFactory(code="TEST2024", title="Test consultation 2024")
    AddresseeFactory(name="States", slug="states")
    done = import_rows(
        [
            *draft_rows(2),
            recommendation_cells(
                reference="TEST2024-P1-003", event_title="Another title", speaker="Ana Pérez"
            ),
        ],
        user=curator,
    )

    assert [str(warning) for warning in done.warnings] == [
        "Row 4: event TEST2024 is titled 'Test consultation 2024' in the tracker; the "
        "event_title here is not used (change it in the events sheet)"
    ]
    assert [str(change) for change in done.created] == [
        "create recommendation TEST2024-P1-001",
        "create recommendation TEST2024-P1-002",
        "create person Ana Pérez",
        "create recommendation TEST2024-P1-003",
    ]
    assert Recommendation.objects.get(reference="TEST2024-P1-003").speaker.name == "Ana Pérez"
    assert Recommendation.objects.count() == 3


def test_a_file_mixing_drafts_and_publications_writes_both(curator):
    EventFactory(code="TEST2024", title="Test consultation 2024")
    AddresseeFactory(name="States", slug="states")
    import_rows(
        [*draft_rows(2), recommendation_cells(reference="TEST2024-P1-003", state="published")],
        user=curator,
    )
    assert dict(Recommendation.objects.values_list("reference", "state")) == {
        "TEST2024-P1-001": "draft",
        "TEST2024-P1-002": "draft",
        "TEST2024-P1-003": "published",
    }


def test_a_plan_writes_nothing_even_for_rows_it_would_write_together(curator):
    EventFactory(code="TEST2024", title="Test consultation 2024")
    AddresseeFactory(name="States", slug="states")
    before = database_state()
    planned = plan_import(csv_file(draft_rows(5)), filename="drafts.csv", user=curator)
    assert planned.ok and len(planned.created) == 5
    assert database_state() == before
