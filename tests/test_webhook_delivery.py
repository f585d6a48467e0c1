import datetime
import hashlib
import hmac
import json

import pytest
from django.core import mail

from recommendations.models import Status
from recommendations.services import publish_recommendation, record_follow_up
from tests.factories.recommendations import RecommendationFactory
from webhooks.models import Delivery, Endpoint, EventType
from webhooks.services import attempt_delivery, dispatch_due

pytestmark = pytest.mark.django_db
SECRET = "a-partner-secret-of-some-length"


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """The verification snippet of docs/webhooks.md, as a partner would write it."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp = int(parts["t"])
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return abs(now - timestamp) <= tolerance and hmac.compare_digest(expected, parts["v1"])


@pytest.fixture
def endpoint(webhook_receiver):
    return Endpoint.objects.create(
        partner="Migration Observatory",
        url=webhook_receiver.url,
        secret=SECRET,
        event_types=list(EventType.values),
    )


def test_publishing_delivers_one_signed_event(
    endpoint, webhook_receiver, curator, django_capture_on_commit_callbacks
):
    recommendation = RecommendationFactory(objectives=[4, 21], reference="LAC2021-T2-03")

    with django_capture_on_commit_callbacks(execute=True):
        publish_recommendation(recommendation=recommendation, user=curator)

    [received] = webhook_receiver.requests
    event = json.loads(received.body)
    assert received.headers["x-gcm-event"] == "recommendation.published"
    assert received.headers["x-gcm-delivery"] == event["id"]
    assert event["data"]["reference"] == "LAC2021-T2-03"
    assert event["data"]["objectives"] == [4, 21]
    now = int(datetime.datetime.now().timestamp())
    assert verify(SECRET, received.headers["x-gcm-signature"], received.body, now)
    assert not verify("another-secret", received.headers["x-gcm-signature"], received.body, now)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.last_status_code) == ("delivered", 200)


def test_a_status_change_is_its_own_event(
    endpoint, webhook_receiver, django_capture_on_commit_callbacks
):
    recommendation = RecommendationFactory(published=True)

    with django_capture_on_commit_callbacks(execute=True):
        record_follow_up(
            recommendation=recommendation, status=Status.IN_PROGRESS, date=datetime.date(2024, 5, 1)
        )

    events = [json.loads(r.body) for r in webhook_receiver.requests]
    assert [e["type"] for e in events] == ["recommendation.status_changed"]
    assert events[0]["data"]["current_status"] == "in_progress"


def test_drafts_send_nothing_and_edits_of_published_ones_do(
    endpoint, webhook_receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft = RecommendationFactory()
        draft.short_title = "Still a draft"
        draft.save()
    assert webhook_receiver.requests == []

    published = RecommendationFactory(published=True)
    with django_capture_on_commit_callbacks(execute=True):
        published.short_title = "Clearer title"
        published.save()

    assert [r.headers["x-gcm-event"] for r in webhook_receiver.requests][
        -1
    ] == "recommendation.edited"


def test_endpoint_gets_only_the_events_it_chose(
    webhook_receiver, django_capture_on_commit_callbacks
):
    Endpoint.objects.create(
        partner="Dashboard",
        url=webhook_receiver.url,
        secret=SECRET,
        event_types=["recommendation.published"],
    )
    recommendation = RecommendationFactory(published=True)
    webhook_receiver.requests.clear()

    with django_capture_on_commit_callbacks(execute=True):
        record_follow_up(
            recommendation=recommendation, status=Status.NOT_STARTED, date=datetime.date(2024, 1, 1)
        )

    assert webhook_receiver.requests == []


def test_a_failing_receiver_is_retried_with_backoff_until_it_accepts(
    endpoint, webhook_receiver, settings, django_capture_on_commit_callbacks
):
    settings.GCM_WEBHOOK_BACKOFF_SECONDS = 0
    webhook_receiver.answers = [500, 500]

    with django_capture_on_commit_callbacks(execute=True):
        RecommendationFactory(published=True)

    delivery = Delivery.objects.get()
    assert [a.status_code for a in delivery.attempts.all()] == [500, 500, 200]
    assert delivery.state == Delivery.State.DELIVERED
    ids = {r.headers["x-gcm-delivery"] for r in webhook_receiver.requests}
    assert ids == {str(delivery.event_id)}


def test_a_retry_waits_for_its_time(
    endpoint, webhook_receiver, settings, django_capture_on_commit_callbacks
):
    settings.GCM_WEBHOOK_BACKOFF_SECONDS = 60
    webhook_receiver.answers = [503]

    with django_capture_on_commit_callbacks(execute=True):
        RecommendationFactory(published=True)

    delivery = Delivery.objects.get()
    assert delivery.attempt_count == 1 and delivery.state == Delivery.State.PENDING
    assert attempt_delivery(delivery_id=delivery.pk).attempt_count == 1  # not due yet
    assert dispatch_due() == 0


def test_a_receiver_that_keeps_failing_is_paused_and_curators_are_told(
    endpoint, webhook_receiver, settings, curator, django_capture_on_commit_callbacks
):
    curator.email = "carlos@example.org"
    curator.save()
    settings.GCM_WEBHOOK_BACKOFF_SECONDS = 0
    settings.GCM_WEBHOOK_PAUSE_AFTER_FAILURES = 3
    webhook_receiver.answers = [500] * 10

    with django_capture_on_commit_callbacks(execute=True):
        RecommendationFactory(published=True)

    endpoint.refresh_from_db()
    assert not endpoint.is_active and "answered 500" in endpoint.paused_reason
    assert len(webhook_receiver.requests) == 3
    assert Delivery.objects.get().state == Delivery.State.PENDING
    [notice] = mail.outbox
    assert notice.to == ["carlos@example.org"] and "paused" in notice.subject
    assert SECRET not in notice.body


def test_a_delivery_is_given_up_after_the_retry_window(
    endpoint, webhook_receiver, settings, django_capture_on_commit_callbacks
):
    settings.GCM_WEBHOOK_RETRY_WINDOW_SECONDS = 0
    webhook_receiver.answers = [500]

    with django_capture_on_commit_callbacks(execute=True):
        RecommendationFactory(published=True)

    assert Delivery.objects.get().state == Delivery.State.GAVE_UP


def test_a_delivered_event_is_never_sent_again(
    endpoint, webhook_receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        RecommendationFactory(published=True)
    delivery = Delivery.objects.get()

    attempt_delivery(delivery_id=delivery.pk)
    attempt_delivery(delivery_id=delivery.pk)

    assert len(webhook_receiver.requests) == 1


def test_the_dispatcher_requeues_a_delivery_whose_task_was_lost(endpoint, webhook_receiver):
    recommendation = RecommendationFactory(published=True)  # on_commit never ran: the task is lost
    assert webhook_receiver.requests == []

    assert dispatch_due() == 1

    assert Delivery.objects.get(recommendation=recommendation).state == Delivery.State.DELIVERED
