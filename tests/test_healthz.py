"""/healthz: 200 when the database, cache and broker answer, 503 naming whichever does not."""

import os

import pytest
import redis
from django.core.cache import cache
from django.test import override_settings

from gcm_tracker import healthz
from gcm_tracker.celery import app as celery_app

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("REDIS_URL_FOR_TESTS", "redis://127.0.0.1:6379/15")


def test_all_reachable_is_200_with_each_check(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"]["ok"] is True
    # Without a broker URL tasks run in the web process: nothing to reach, nothing failing.
    assert body["checks"]["broker"] == {"ok": True, "eager": True}


def test_is_never_cached_and_answers_head(client):
    response = client.get("/healthz")
    assert "no-store" in response["Cache-Control"]

    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_a_database_that_does_not_answer_is_503(client, monkeypatch):
    def broken(alias):
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(healthz, "check_database", broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["database"] == {
        "ok": False,
        "error": "ConnectionRefusedError: connection refused",
    }
    assert body["checks"]["cache"]["ok"] is True


def test_a_cache_that_loses_what_it_is_given_is_503(client, monkeypatch):
    monkeypatch.setattr(cache, "get", lambda key, default=None: default)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False


@pytest.fixture
def broker_at():
    """Point Celery at a broker URL for one test, as REDIS_URL does in production."""
    previous = celery_app.conf.broker_url

    def point(url: str):
        celery_app.conf.broker_url = url

    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        yield point
    celery_app.conf.broker_url = previous


def test_a_reachable_broker_is_checked(client, broker_at):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError as exc:
        pytest.fail(f"This test needs Redis at {REDIS_URL} ({exc}).")
    broker_at(REDIS_URL)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"]["broker"]["ok"] is True


def test_an_unreachable_broker_is_503(client, broker_at):
    broker_at("redis://127.0.0.1:9/0")  # The discard port: nothing listens there.

    response = client.get("/healthz")

    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    assert broker["ok"] is False
    assert "9" in broker["error"]
