import datetime

import pytest
from django.core.exceptions import ValidationError

from recommendations.models import AppendOnlyError, FollowUp, Status
from recommendations.services import record_follow_up
from tests.factories.recommendations import RecommendationFactory

pytestmark = pytest.mark.django_db


def test_new_recommendation_has_no_information_yet():
    recommendation = RecommendationFactory(published=True)
    assert recommendation.current_status == Status.NO_INFORMATION
    assert recommendation.status_date is None


def test_current_status_is_the_latest_update_by_date(curator):
    recommendation = RecommendationFactory(published=True)
    record_follow_up(
        recommendation=recommendation,
        status=Status.IN_PROGRESS,
        date=datetime.date(2023, 5, 1),
        recorded_by=curator,
    )
    # Recorded later, but about an earlier date: it does not become the current status.
    record_follow_up(
        recommendation=recommendation,
        status=Status.NOT_STARTED,
        date=datetime.date(2022, 1, 10),
        recorded_by=curator,
    )

    recommendation.refresh_from_db()
    assert recommendation.current_status == Status.IN_PROGRESS
    assert recommendation.status_date == datetime.date(2023, 5, 1)
    history = list(recommendation.follow_ups.chronological().values_list("status", flat=True))
    assert history == [Status.NOT_STARTED, Status.IN_PROGRESS]


def test_on_the_same_date_the_update_recorded_last_wins(curator):
    recommendation = RecommendationFactory(published=True)
    day = datetime.date(2024, 3, 1)
    record_follow_up(recommendation=recommendation, status=Status.IN_PROGRESS, date=day)
    record_follow_up(recommendation=recommendation, status=Status.REGRESSED, date=day)

    recommendation.refresh_from_db()
    assert recommendation.current_status == Status.REGRESSED


def test_a_correction_is_a_new_entry_and_the_wrong_one_stays(curator):
    recommendation = RecommendationFactory(published=True)
    day = datetime.date(2024, 3, 1)
    wrong = record_follow_up(recommendation=recommendation, status=Status.IMPLEMENTED, date=day)
    record_follow_up(
        recommendation=recommendation,
        status=Status.PARTIALLY_IMPLEMENTED,
        date=day,
        note="Corrects the previous entry: only two of five states acted.",
        corrects=wrong,
    )

    recommendation.refresh_from_db()
    assert recommendation.current_status == Status.PARTIALLY_IMPLEMENTED
    assert recommendation.follow_ups.count() == 2


def test_follow_up_history_cannot_be_edited_or_deleted():
    recommendation = RecommendationFactory(published=True)
    entry = record_follow_up(
        recommendation=recommendation, status=Status.NOT_STARTED, date=datetime.date(2022, 1, 1)
    )

    entry.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        FollowUp.objects.filter(pk=entry.pk).update(note="rewritten")
    with pytest.raises(AppendOnlyError):
        FollowUp.objects.filter(pk=entry.pk).delete()
    assert FollowUp.objects.get(pk=entry.pk).note == ""


def test_invalid_follow_up_changes_nothing():
    recommendation = RecommendationFactory(published=True)

    with pytest.raises(ValidationError):
        record_follow_up(
            recommendation=recommendation,
            status=Status.IN_PROGRESS,
            date=datetime.date(2024, 1, 1),
            evidence_links=["not a link"],
        )

    recommendation.refresh_from_db()
    assert recommendation.current_status == Status.NO_INFORMATION
    assert not recommendation.follow_ups.exists()


def test_every_status_has_a_plain_language_description():
    for status in Status:
        assert len(str(status.description)) > 20
