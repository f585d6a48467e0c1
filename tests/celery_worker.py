"""A real Celery worker on the real Redis, sharing the test database, for tests that need one."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import kombu.pools
import pytest
import redis
from django.conf import settings
from django.db import connection

from gcm_tracker.celery import app as celery_app

REDIS_URL = os.environ.get("REDIS_URL_FOR_TESTS", "redis://127.0.0.1:6379/15")
# Every worker is stopped after this long, whatever happens, so nothing hangs.
WORKER_LIFETIME_SECONDS = 120
VISIBILITY_TIMEOUT_SECONDS = 4


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


class Worker:
    """Starts, kills and restarts one `celery worker` process."""

    def __init__(self, mail_dir: Path, log_path: Path, queue: str):
        self.mail_dir = mail_dir
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "REDIS_URL": REDIS_URL,
            "DJANGO_DEBUG": "1",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "DJANGO_EMAIL_FILE_PATH": str(mail_dir),
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_SECONDS),
            "CELERY_UNACKED_RESTORE_INTERVAL": "1",
            "CELERY_UNACKED_RESTORE_THROTTLE": "1",
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            # Retries a second apart, so a retried webhook succeeds within the test.
            "GCM_WEBHOOK_BACKOFF_SECONDS": "1",
        }

    def start(self):
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [
                "timeout",
                "-s",
                "KILL",
                str(WORKER_LIFETIME_SECONDS),
                sys.executable,
                "-m",
                "celery",
                "-A",
                "gcm_tracker",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                f"--hostname=test-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The Celery worker exited early:\n{self.log()}")
            if celery_app.control.ping(timeout=0.5):
                return
        raise RuntimeError(f"The Celery worker did not start in 30 s:\n{self.log()}")

    def kill(self):
        """SIGKILL the whole worker, as an out-of-memory killer or a power cut would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _reset_connections():
    # Connections opened for the previous broker URL must not be reused for the next.
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None
    kombu.pools.reset()


def wait_for(condition, timeout: float = 30, interval: float = 0.2, what: str = "condition"):
    """Poll `condition` until it returns something truthy, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout} s waiting for {what}.")


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """A running worker, with this process sending tasks to the real Redis instead of eagerly."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        pytest.fail(f"These tests need Redis at {REDIS_URL} ({exc}).")
    previous = {
        key: celery_app.conf[key]
        for key in (
            "broker_url",
            "result_backend",
            "task_always_eager",
            "broker_transport_options",
            "task_default_queue",
        )
    }
    # A queue of its own, so no other test run's worker can take this test's tasks.
    queue = f"test-{uuid.uuid4().hex[:12]}"
    celery_app.conf.update(
        broker_url=REDIS_URL,
        result_backend=REDIS_URL,
        task_always_eager=False,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT_SECONDS},
        task_default_queue=queue,
    )
    _reset_connections()
    worker = Worker(mail_dir=tmp_path / "mail", log_path=tmp_path / "worker.log", queue=queue)
    try:
        worker.start()
        yield worker
    finally:
        worker.stop()
        celery_app.conf.update(previous)
        _reset_connections()
        client.delete(queue)
