import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from recommendations.models import DigestDelivery, Status
from recommendations.services import record_follow_up, send_digest
from recommendations.tasks import send_daily_digests
from tests.factories.recommendations import RecommendationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator_with_email(curator):
    curator.email = "carlos@example.org"
    curator.save()
    return curator


def _due_today(**kwargs):
    recommendation = RecommendationFactory(published=True, review_interval_days=1, **kwargs)
    record_follow_up(
        recommendation=recommendation,
        status=Status.NOT_STARTED,
        date=timezone.localdate() - datetime.timedelta(days=1),
    )
    return recommendation


def test_digest_lists_what_came_due_and_the_updates_recorded(curator_with_email):
    due = _due_today(reference="LAC2021-T1-07", short_title="Census questions on birthplace")

    send_digest(recipient=curator_with_email, day=timezone.localdate())

    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "LAC2021-T1-07: Census questions on birthplace" in body
    assert "1 follow-up update was recorded" in body
    assert mail.outbox[0].to == ["carlos@example.org"]
    delivery = DigestDelivery.objects.get()
    assert (delivery.due_count, delivery.update_count) == (1, 1)
    assert reverse("admin:recommendations_recommendation_change", args=[due.pk]) in body


def test_the_same_digest_is_never_sent_twice(curator_with_email):
    _due_today()
    today = timezone.localdate()

    send_digest(recipient=curator_with_email, day=today)
    send_digest(recipient=curator_with_email, day=today)
    send_daily_digests(today.isoformat())

    assert len(mail.outbox) == 1
    assert DigestDelivery.objects.count() == 1


def test_next_digest_covers_only_what_happened_since_the_last(curator_with_email):
    _due_today()
    today = timezone.localdate()
    send_digest(recipient=curator_with_email, day=today)

    send_digest(recipient=curator_with_email, day=today + datetime.timedelta(days=1))

    # Nothing new came due and nothing was recorded: no second e-mail, but the day is done.
    assert len(mail.outbox) == 1
    assert DigestDelivery.objects.filter(sent_at__isnull=False).count() == 2


def test_daily_digests_go_to_each_curator_with_an_address(curator_with_email, rapporteur):
    _due_today()
    rapporteur.email = "rosa@example.org"
    rapporteur.save()

    queued = send_daily_digests()

    assert queued == 1
    assert [message.to for message in mail.outbox] == [["carlos@example.org"]]
