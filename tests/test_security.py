import logging
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_production_settings_pass_the_deployment_checklist_with_no_warning():
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "tracker.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SECRET_KEY"}
    env["DJANGO_DEBUG"] = "0"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_pages_carry_the_security_headers(client):
    response = client.get(reverse("admin:login"))

    policy = response["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'self'" in script_src and "unsafe-inline" not in script_src
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
def test_https_responses_ask_browsers_to_keep_to_https(client):
    response = client.get(reverse("admin:login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_admin_login_is_locked_after_repeated_guessing(client, curator, caplog):
    url = reverse("admin:login")
    for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(url, {"username": curator.username, "password": "guess-123456"})
        # The guess that reaches the limit is the first to be answered with a lockout.
        assert response.status_code == (429 if attempt == settings.AXES_FAILURE_LIMIT else 200)

    with caplog.at_level(logging.DEBUG):
        locked = client.post(
            url, {"username": curator.username, "password": "a-long-test-password"}
        )

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "a-long-test-password" not in caplog.text
    assert "guess-123456" not in caplog.text


def test_a_correct_login_before_the_limit_still_works(client, curator):
    url = reverse("admin:login")
    client.post(url, {"username": curator.username, "password": "wrong-password-1"})

    response = client.post(url, {"username": curator.username, "password": "a-long-test-password"})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(curator.pk)


def test_tokens_are_stored_hashed_and_never_logged(write_token, caplog):
    from partners.models import PartnerToken

    stored = PartnerToken.objects.get(pk=write_token.pk)
    assert write_token.raw not in {str(value) for value in stored.__dict__.values()}

    with caplog.at_level(logging.DEBUG):
        client = Client(HTTP_AUTHORIZATION=f"Bearer {write_token.raw}")
        client.get("/api/v1/recommendations/")
        client.post("/api/v1/recommendations/", data="{not json", content_type="application/json")
        Client(HTTP_AUTHORIZATION=f"Bearer {write_token.raw}x").get("/api/v1/recommendations/")

    assert write_token.raw not in caplog.text
    assert write_token.raw[8:] not in caplog.text
