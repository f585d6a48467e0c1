"""The partner guide's example script, run as a partner would run it, against a live server."""

import datetime
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from recommendations.services import publish_recommendation, record_follow_up
from tests.factories.recommendations import RecommendationFactory
from tests.factories.site import dressed_recommendation

GUIDE = Path(settings.BASE_DIR) / "docs" / "api.md"


@pytest.fixture
def script(tmp_path) -> Path:
    """The Python block of the guide's "A complete example", saved as a partner would save it."""
    example = GUIDE.read_text(encoding="utf-8").split("## A complete example", 1)[1]
    code = re.search(r"```python\n(.*?)```", example, re.DOTALL).group(1)
    path = tmp_path / "gcm_sync.py"
    path.write_text(code, encoding="utf-8")
    return path


@pytest.fixture
def run_script(script, live_server, tmp_path):
    store = tmp_path / "store.json"

    def run(*arguments) -> dict:
        cache.clear()
        finished = subprocess.run(
            [sys.executable, str(script), *arguments],
            env={
                "GCM_API": f"{live_server.url}/api/v1",
                "GCM_STORE": str(store),
                "GCM_OVERLAP_SECONDS": "0",
                "PATH": "/usr/bin:/bin",
            },
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert finished.returncode == 0, finished.stderr + finished.stdout
        assert "recommendations" in finished.stdout
        return json.loads(store.read_text(encoding="utf-8"))

    return run


def _statuses(store, reference):
    return sorted(
        update["status"]
        for update in store["follow_ups"].values()
        if update["recommendation"] == reference
    )


@pytest.mark.django_db(transaction=True)
def test_the_guides_script_copies_objectives_9_and_10_and_keeps_them_in_sync(run_script, curator):
    on_nine = dressed_recommendation(reference="LAC2021-T2-01", objectives=(9,))
    on_ten = dressed_recommendation(reference="LAC2021-T2-02", objectives=(10, 9))
    dressed_recommendation(reference="LAC2021-T4-01", objectives=(15,))
    # A draft with history of its own: not public yet, so not copied yet.
    draft = RecommendationFactory(reference="LAC2021-T2-03", objectives=[10])
    record_follow_up(recommendation=draft, status="not_started", date=datetime.date(2023, 1, 9))

    store = run_script()

    assert set(store["recommendations"]) == {"LAC2021-T2-01", "LAC2021-T2-02"}
    assert _statuses(store, "LAC2021-T2-01") == ["in_progress"]
    assert store["recommendations"]["LAC2021-T2-02"]["objectives"][0]["number"] == 10

    record_follow_up(recommendation=on_nine, status="implemented", date=datetime.date(2024, 3, 1))
    on_ten.short_title = "Edited after the first sync"
    on_ten.save()
    publish_recommendation(recommendation=draft, user=curator)

    store = run_script()

    assert set(store["recommendations"]) == {"LAC2021-T2-01", "LAC2021-T2-02", "LAC2021-T2-03"}
    assert _statuses(store, "LAC2021-T2-01") == ["implemented", "in_progress"]
    assert store["recommendations"]["LAC2021-T2-01"]["current_status"] == "implemented"
    assert store["recommendations"]["LAC2021-T2-02"]["short_title"] == "Edited after the first sync"
    # Published after the first sync: its whole history came with it, older updates included.
    assert _statuses(store, "LAC2021-T2-03") == ["not_started"]

    on_ten.state = "draft"
    on_ten.save()
    store = run_script("--reconcile")

    assert set(store["recommendations"]) == {"LAC2021-T2-01", "LAC2021-T2-03"}
    assert _statuses(store, "LAC2021-T2-02") == []


@pytest.mark.django_db(transaction=True)
def test_the_guides_script_changes_nothing_when_nothing_changed(run_script):
    dressed_recommendation(reference="LAC2021-T2-01", objectives=(9,))

    first = run_script()
    second = run_script()

    assert first == second
