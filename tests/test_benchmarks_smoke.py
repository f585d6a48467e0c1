"""The benchmark's generator and runner still work, on a corpus of 200 recommendations.

Nothing here is timed: the figures are docs/performance.md's business. This only keeps the
scripts from rotting as the code they measure changes.
"""

import hashlib
import json
import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from benchmarks.corpus import CorpusExists, generate, measure_seed, scaled_counts
from consultations.models import Event, Participation, Person, Session
from recommendations.models import FollowUp, Recommendation, RecommendationObjective
from tests.celery_worker import _database_url

SMALL = 200


def _digest() -> str:
    rows = Recommendation.objects.order_by("reference").values_list(
        "reference", "short_title", "text", "language", "current_status", "updated_at"
    )
    tags = RecommendationObjective.objects.order_by(
        "recommendation__reference", "objective__number"
    ).values_list("recommendation__reference", "objective__number", "is_primary")
    updates = FollowUp.objects.order_by("recommendation__reference", "date", "status").values_list(
        "recommendation__reference", "date", "status"
    )
    return hashlib.sha256(repr((list(rows), list(tags), list(updates))).encode()).hexdigest()


def _generated(seed: int) -> str:
    with transaction.atomic():
        generate(recommendations=SMALL, seed=seed, batch_size=64, log=lambda line: None)
        digest = _digest()
        transaction.set_rollback(True)
    return digest


@pytest.mark.django_db
def test_the_corpus_has_the_asked_shape():
    call_command("generate_synthetic_corpus", recommendations=SMALL, seed=5, batch_size=64)
    counts = scaled_counts(SMALL)

    assert Recommendation.objects.count() == SMALL
    assert Event.objects.count() == counts["events"]
    assert Session.objects.count() == counts["sessions"]
    assert Person.objects.count() == counts["people"]
    assert FollowUp.objects.count() == counts["follow_ups"]
    assert Participation.objects.exists()
    # Every recommendation has exactly one primary objective, as publishing demands.
    assert RecommendationObjective.objects.filter(is_primary=True).count() == SMALL
    published = Recommendation.objects.published()
    assert published.count() > SMALL * 0.8
    assert not FollowUp.objects.exclude(recommendation__in=published).exists()
    # The current status is the latest update's, as recording follow-up derives it.
    for recommendation in published.filter(follow_ups__isnull=False).distinct()[:20]:
        latest = recommendation.follow_ups.order_by("-date", "-recorded_at", "-id").first()
        assert recommendation.current_status == latest.status
        assert recommendation.status_date == latest.date


@pytest.mark.django_db
def test_languages_follow_the_seed():
    seed_languages = set(measure_seed().languages)
    generate(recommendations=SMALL, seed=2, batch_size=64, log=lambda line: None)

    assert set(Recommendation.objects.values_list("language", flat=True)) <= seed_languages


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_corpus():
    assert _generated(seed=7) == _generated(seed=7)
    assert _generated(seed=7) != _generated(seed=8)


@pytest.mark.django_db
def test_it_will_not_generate_twice_into_one_database():
    generate(recommendations=SMALL, seed=1, batch_size=64, log=lambda line: None)

    with pytest.raises(CorpusExists):
        generate(recommendations=SMALL, seed=1, batch_size=64, log=lambda line: None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_the_runner_measures_every_operation(tmp_path):
    generate(recommendations=SMALL, seed=3, batch_size=64, log=lambda line: None)
    results = tmp_path / "results.json"
    env = {**os.environ}
    for name in ("DATABASE_URL", "REDIS_URL", "CACHE_URL", "DJANGO_SECRET_KEY"):
        env.pop(name, None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.run",
            f"--database-url={_database_url()}",
            "--cache-url=",
            "--runs=2",
            "--export-runs=1",
            "--import-rows=20",
            "--import-runs=1",
            "--connections=2",
            "--load-seconds=1",
            f"--port={_free_port()}",
            f"--gunicorn-log={tmp_path / 'gunicorn.log'}",
            f"--json={results}",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    rows = {row["operation"]: row for row in json.loads(results.read_text())["rows"]}

    for name in [
        "API list, objective and status (page of 50)",
        "API list, updated_after (sync page of 50)",
        "API recommendation detail",
        "objective page (7)",
        "home page",
        "coverage page",
        f"CSV export ({SMALL:,} rows)",
        "bulk import (20 rows)",
        "load: 2 connections for 1.0 s",
    ]:
        assert rows[name]["median_ms"] is not None, name
        assert rows[name]["queries"] or name.startswith("load"), name
    assert any(name.startswith("full-text search") for name in rows)
    # The floors answered exactly what the API answers (the runner checks it), and were timed.
    assert rows["API recommendation detail"]["floor_ms"] > 0
    load = rows["load: 2 connections for 1.0 s"]
    assert load["met"] is True, load["notes"]
    assert "| operation" in done.stdout
