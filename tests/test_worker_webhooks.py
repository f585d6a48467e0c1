"""Webhook deliveries through a real Celery worker on the real Redis."""

import datetime
import json
import time

import pytest

from recommendations.models import Status
from recommendations.services import record_follow_up
from tests.celery_worker import VISIBILITY_TIMEOUT_SECONDS, wait_for
from tests.factories.recommendations import RecommendationFactory
from tests.test_webhook_delivery import SECRET, verify
from webhooks.models import Delivery, Endpoint, EventType

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def endpoint(webhook_receiver):
    return Endpoint.objects.create(
        partner="Migration Observatory",
        url=webhook_receiver.url,
        secret=SECRET,
        event_types=[EventType.STATUS_CHANGED],
    )


def _record_status_change():
    recommendation = RecommendationFactory(published=True, reference="LAC2021-T4-05")
    record_follow_up(
        recommendation=recommendation, status=Status.IN_PROGRESS, date=datetime.date(2025, 3, 1)
    )
    return recommendation


def _delivered():
    return Delivery.objects.filter(state=Delivery.State.DELIVERED).first()


def test_a_status_change_reaches_the_partner_signed_within_seconds(
    celery_worker_process, endpoint, webhook_receiver
):
    started = time.monotonic()
    _record_status_change()

    [received] = webhook_receiver.wait_for(1, timeout=20)

    assert time.monotonic() - started < 10
    event = json.loads(received.body)
    assert event["type"] == "recommendation.status_changed"
    assert event["data"]["reference"] == "LAC2021-T4-05"
    assert verify(SECRET, received.headers["x-gcm-signature"], received.body, int(time.time()))
    wait_for(_delivered, what="the delivery to be marked delivered")


def test_a_receiver_answering_500_twice_is_retried_and_then_succeeds(
    celery_worker_process, endpoint, webhook_receiver
):
    webhook_receiver.answers = [500, 500]

    _record_status_change()

    webhook_receiver.wait_for(3, timeout=30)
    delivery = wait_for(_delivered, what="the delivery to succeed")
    assert [a.status_code for a in delivery.attempts.order_by("number")] == [500, 500, 200]
    assert {r.headers["x-gcm-delivery"] for r in webhook_receiver.requests} == {
        str(delivery.event_id)
    }


def test_a_worker_killed_mid_delivery_does_not_lose_it(
    celery_worker_process, endpoint, webhook_receiver
):
    # The receiver holds the first request long enough to kill the worker while it waits.
    webhook_receiver.first_delay = 5

    _record_status_change()
    webhook_receiver.wait_for(1, timeout=20)
    celery_worker_process.kill()
    assert not _delivered()

    celery_worker_process.start()

    delivery = wait_for(_delivered, timeout=VISIBILITY_TIMEOUT_SECONDS + 30, what="redelivery")
    # The partner may see the event twice, always with the same id to drop the repeat.
    ids = {r.headers["x-gcm-delivery"] for r in webhook_receiver.requests}
    assert ids == {str(delivery.event_id)}
    assert len(webhook_receiver.requests) >= 2
