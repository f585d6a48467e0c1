"""plan_import checks every row of a file and says what importing it would do, writing nothing."""

import pytest

from recommendations import exports
from recommendations.imports import ImportPlan, plan_import
from recommendations.models import Recommendation
from tests.factories.consultations import EventFactory, OrganizationFactory, PersonFactory
from tests.factories.recommendations import RecommendationFactory
from tests.factories.sheets import (  # noqa: F401  (compact is a fixture)
    compact,
    csv_file,
    database_state,
    recommendation_cells,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("compact")]


def plan(rows: list[dict], *, user=None, columns=None) -> ImportPlan:
    return plan_import(csv_file(rows, columns), filename="recommendations.csv", user=user)


def messages(planned: ImportPlan) -> list[str]:
    return [str(problem) for problem in planned.problems]


def test_dry_run_writes_nothing_and_lists_what_would_change(curator):
    event = EventFactory(code="TEST2024", title="Test consultation 2024")
    RecommendationFactory(reference="TEST2024-P1-02", event=event, published=True)
    before = database_state()

    planned = plan(
        [
            recommendation_cells(
                speaker="Ana Pérez",
                organization="Red Migrante",
                organization_kind="civil_society",
                session="P1",
                session_title="Panel 1",
                state="published",
                current_status="in_progress",
                status_date="2024-03-01",
            ),
            recommendation_cells(
                reference="TEST2024-P1-02", short_title="Edited title", state="published"
            ),
        ],
        user=curator,
    )

    assert planned.ok, messages(planned)
    assert database_state() == before
    assert [str(change) for change in planned.created] == [
        "create session TEST2024 P1",
        "create person Ana Pérez",
        "create organization Red Migrante",
        "create addressee States",
        "create recommendation TEST2024-P1-01",
    ]
    assert [str(change) for change in planned.updated] == [
        "update recommendation TEST2024-P1-02 (short_title, text, countries, objectives, "
        "principles, addressees)"
    ]
    assert planned.counts("create") == (
        "1 session, 1 person, 1 organization, 1 addressee, 1 recommendation"
    )


def test_each_bad_row_is_named_with_a_plain_message():
    planned = plan(
        [
            recommendation_cells(),
            recommendation_cells(reference="TEST2024-P1-02", objectives="5; 7; 27"),
            recommendation_cells(reference="TEST2024-P1-03", event=""),
            recommendation_cells(
                reference="TEST2024-P1-04", current_status="in_progress", status_date="2024-13-40"
            ),
            recommendation_cells(),
            recommendation_cells(
                reference="TEST2024-P1-07", principles="12", countries="XX", state="final"
            ),
            recommendation_cells(reference="TEST2024-P1-08", event="NEW2024", event_title=""),
            recommendation_cells(reference="test 9"),
        ]
    )
    assert messages(planned) == [
        "Row 3: unknown objective 27",
        "Row 4: missing event",
        "Row 5: status_date '2024-13-40': date not understood (use YYYY-MM-DD)",
        "Row 6: duplicate reference TEST2024-P1-01 (also on row 2)",
        "Row 7: unknown principle 12",
        "Row 7: unknown country code 'XX'",
        "Row 7: state 'final' not understood (use draft, in_review, published)",
        "Row 8: unknown event 'NEW2024': give its event_title to create it, or import the "
        "events sheet first",
        "Row 9: reference 'test 9' is not valid: use capital letters, digits and hyphens, "
        "e.g. OAS2017-P2-03",
    ]
    assert not planned.ok
    assert [str(change) for change in planned.created] == [
        "create event TEST2024",
        "create addressee States",
        "create recommendation TEST2024-P1-01",
    ]


def test_a_session_the_tracker_does_not_know_needs_its_title():
    planned = plan([recommendation_cells(session="P9")])
    assert messages(planned) == [
        "Row 2: unknown session 'P9' of event TEST2024: give its session_title to create it, "
        "or import the sessions sheet first"
    ]


def test_objective_tags_take_their_primary_and_sources():
    planned = plan(
        [
            recommendation_cells(primary_objective="7", objectives="5", objective_sources="5:x"),
            recommendation_cells(
                reference="TEST2024-P1-02", objectives="5", objective_sources="9:curator"
            ),
            recommendation_cells(
                reference="TEST2024-P1-03", objectives="five", objective_sources=""
            ),
        ]
    )
    assert messages(planned) == [
        "Row 2: objective source 'x' not understood (use in_source, curator, suggestion_reviewed)",
        "Row 3: objective 9 is in objective_sources but not in objectives",
        "Row 4: objective 'five' is not a number",
    ]


def test_people_and_organizations_are_matched_without_regard_to_accents_or_case():
    person = PersonFactory(name="Ana Pérez", slug="ana-perez")
    organization = OrganizationFactory(name="Red Jesuita con Migrantes", slug="rjm", acronym="RJM")
    planned = plan(
        [
            recommendation_cells(speaker="ANA PEREZ", organization="red jesuíta con  migrantes"),
            recommendation_cells(
                reference="TEST2024-P1-02", speaker="ana-perez", organization="RJM"
            ),
            recommendation_cells(reference="TEST2024-P1-03", speaker="José Martínez"),
            recommendation_cells(reference="TEST2024-P1-04", speaker="jose martinez"),
        ]
    )
    assert planned.ok, messages(planned)
    created = [str(change) for change in planned.created]
    assert "create person José Martínez" in created
    assert not [line for line in created if "organization" in line or "Ana" in line]
    assert created.count("create person José Martínez") == 1
    assert person.pk and organization.pk


def test_a_name_two_people_share_asks_for_a_slug():
    PersonFactory(name="Ana Pérez", slug="ana-perez")
    PersonFactory(name="Ana Perez", slug="ana-perez-2")
    planned = plan(
        [
            recommendation_cells(speaker="Ana Pérez"),
            recommendation_cells(reference="TEST2024-P1-02", speaker="ana-perez-2"),
        ]
    )
    assert messages(planned) == [
        "Row 2: person 'Ana Pérez' matches 2 people (ana-perez, ana-perez-2): write the slug of "
        "the one meant"
    ]


def test_a_rapporteur_may_import_drafts_but_not_publish(rapporteur):
    planned = plan(
        [
            recommendation_cells(),
            recommendation_cells(reference="TEST2024-P1-02", state="published"),
        ],
        user=rapporteur,
    )
    assert messages(planned) == [
        "Row 3: publishing needs the permission to publish recommendations: import it as a draft"
    ]


def test_a_rapporteur_may_upload_published_rows_unchanged_but_not_edit_them(rapporteur):
    recommendation = RecommendationFactory(published=True, objectives=[5])
    cells = dict(zip(exports.COLUMNS, exports.row(recommendation), strict=True))

    unchanged = plan([cells], user=rapporteur)
    assert unchanged.ok, messages(unchanged)
    assert [str(change) for change in unchanged.skipped] == [
        f"unchanged recommendation {recommendation.reference}"
    ]

    edited = plan([{**cells, "short_title": "Another title"}], user=rapporteur)
    assert messages(edited) == ["Row 2: only curators may change a published recommendation"]


def test_a_status_change_needs_the_right_to_record_follow_up(rapporteur):
    RecommendationFactory(reference="TEST2024-P1-01", event=EventFactory(code="TEST2024"))
    planned = plan(
        [recommendation_cells(current_status="implemented", status_date="2024-02-01")],
        user=rapporteur,
    )
    assert messages(planned) == ["Row 2: you may not add follow-up updates"]


def test_event_and_session_details_are_changed_in_their_own_sheets():
    EventFactory(code="TEST2024", title="The real title")
    planned = plan([recommendation_cells(event_title="Another title", year="1999")])
    assert planned.ok
    assert [str(warning) for warning in planned.warnings] == [
        "Row 2: event TEST2024 is titled 'The real title' in the tracker; the event_title here "
        "is not used (change it in the events sheet)",
        "Row 2: event TEST2024 started in 2021 in the tracker; the year here is not used "
        "(change the dates in the events sheet)",
    ]


def test_the_url_column_is_read_but_never_taken():
    planned = plan([recommendation_cells(url="https://elsewhere.example/x")])
    assert planned.ok
    assert "url" not in planned.sheets[0].rows[0].cells
    assert not Recommendation.objects.exists()
