"""The production configuration, served by gunicorn as in docs/deploy.md, answers on loopback."""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from http.client import HTTPConnection

import pytest
from django.conf import settings

from tests.celery_worker import _database_url
from tests.factories.recommendations import RecommendationFactory

# Everything here is bounded: the server is killed after this long whatever happens.
SERVER_LIFETIME_SECONDS = 120


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str) -> tuple[int, dict, bytes]:
    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.fixture
def production_server(transactional_db, tmp_path):
    """gunicorn with gunicorn.conf.py and DEBUG off, after collectstatic, on a free port."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECURE_SSL_REDIRECT": "0",  # Plain HTTP on loopback; TLS ends at the proxy.
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": _database_url(),
        "DATABASE_CONN_MAX_AGE": "60",
        "PORT": str(port),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "2",
    }
    for name in ("REDIS_URL", "CACHE_URL", "DATABASE_REPLICA_URL", "DJANGO_LOG_FORMAT"):
        env.pop(name, None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        timeout=300,
    )
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                "timeout",
                "-s",
                "KILL",
                str(SERVER_LIFETIME_SECONDS),
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "gunicorn.conf.py",
                "gcm_tracker.wsgi",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                pytest.fail(f"gunicorn exited:\n{log_path.read_text()}")
            try:
                if _get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer in 60 s:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield port, log_path
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)


def test_healthz_and_a_page_answer(production_server):
    port, log_path = production_server
    recommendation = RecommendationFactory(
        published=True, short_title="Regularise migrants in irregular situations"
    )

    status, headers, body = _get(port, "/healthz")
    assert status == 200
    health = json.loads(body)
    assert health["status"] == "ok"
    assert health["checks"]["database"]["ok"] is True

    status, headers, body = _get(port, f"/recommendations/{recommendation.reference}/")
    assert status == 200, body[:500]
    page = body.decode()
    assert "Regularise migrants in irregular situations" in page
    assert headers["x-frame-options"] == "DENY"

    # Whitenoise serves the collected, fingerprinted stylesheet, cacheable for a long time.
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "the page should link the fingerprinted stylesheet"
    status, headers, _body = _get(port, stylesheet.group(1))
    assert status == 200
    assert "max-age=315360000" in headers["cache-control"]

    assert _get(port, "/no-such-page/")[0] == 404

    # Production logs are one JSON object per line, gunicorn's access log included.
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert {"path": "/healthz", "status": 200} in [
        {"path": line["path"], "status": line["status"]} for line in access
    ]
    assert any(
        line["logger"] == "django.request" and line.get("status_code") == 404 for line in lines
    )


def test_every_variable_gunicorn_reads_is_in_env_example():
    source = (settings.BASE_DIR / "gunicorn.conf.py").read_text()
    read = set(re.findall(r"""env_\w+\(\s*['"]([A-Z0-9_]+)['"]""", source))
    listed = set(
        re.findall(r"^([A-Z0-9_]+)=", (settings.BASE_DIR / ".env.example").read_text(), re.M)
    )
    assert read and read - listed == set()
