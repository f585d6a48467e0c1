"""/healthz: whether this web process can reach its database(s), cache and Celery broker.

Load balancers and orchestrators poll it: 200 when every check passes, 503 when any fails, with
a JSON body naming each check, so an operator sees at once which dependency is down.
"""

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

# Short, so a dead dependency makes the check fail fast instead of hanging the probe.
BROKER_TIMEOUT_SECONDS = 2


def check_database(alias: str) -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    try:
        if cache.get(key) != "1":
            raise RuntimeError("a value written to the cache could not be read back")
    finally:
        cache.delete(key)


def check_broker() -> None:
    from gcm_tracker.celery import app

    with app.connection_for_write(connect_timeout=BROKER_TIMEOUT_SECONDS) as connection:
        connection.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)


def _run(check, *args) -> dict:
    started = time.perf_counter()
    try:
        check(*args)
    except Exception as exc:  # Any failure is the answer, not a crash of the probe.
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def checks() -> dict[str, dict]:
    """Each dependency's check result: {"ok": bool, "ms" or "error"}."""
    results = {
        "database" if alias == "default" else f"database_{alias}": _run(check_database, alias)
        for alias in settings.DATABASES
    }
    results["cache"] = _run(check_cache)
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # Without a broker, tasks run inside the web process: there is nothing to reach.
        results["broker"] = {"ok": True, "eager": True}
    else:
        results["broker"] = _run(check_broker)
    return results


@never_cache
@require_safe
def healthz(request):
    results = checks()
    healthy = all(result["ok"] for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": results},
        status=200 if healthy else 503,
    )
