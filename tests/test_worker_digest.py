"""The daily digest through a real Celery worker on the real Redis."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from recommendations.models import DigestDelivery, Status
from recommendations.roles import CURATOR
from recommendations.services import record_follow_up
from recommendations.tasks import send_daily_digests
from tests.celery_worker import wait_for
from tests.factories.recommendations import RecommendationFactory


def _messages(mail_dir):
    if not mail_dir.exists():
        return []
    return [
        line
        for path in sorted(mail_dir.iterdir())
        for line in path.read_text().splitlines()
        if line.startswith("Subject: ")
    ]


@pytest.mark.django_db(transaction=True)
def test_digest_goes_out_once_when_beat_fires_twice(celery_worker_process, django_user_model):
    curator = django_user_model.objects.create_user(
        username="carlos", email="carlos@example.org", password="a-long-test-password"
    )
    curator.groups.add(Group.objects.get(name=CURATOR))
    recommendation = RecommendationFactory(published=True, review_interval_days=1)
    record_follow_up(
        recommendation=recommendation,
        status=Status.NOT_STARTED,
        date=timezone.localdate() - datetime.timedelta(days=1),
    )
    today = timezone.localdate().isoformat()

    # A beat restart can fire the schedule twice; each queues a digest per curator.
    send_daily_digests.delay(today)
    send_daily_digests.delay(today)

    wait_for(
        lambda: DigestDelivery.objects.filter(sent_at__isnull=False).exists(),
        what="the digest to be sent",
    )
    wait_for(lambda: _messages(celery_worker_process.mail_dir), what="the e-mail file")
    # Give the second, duplicate task time to run before counting.
    wait_for(
        lambda: (
            "send_digest" in celery_worker_process.log()
            and celery_worker_process.log().count("succeeded") >= 4
        ),
        what="all four tasks to finish",
    )
    messages = _messages(celery_worker_process.mail_dir)
    assert len(messages) == 1, celery_worker_process.log()
    assert "1 due, 1 updates" in messages[0]
