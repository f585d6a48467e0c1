"""Public reads from a read replica; writes, editors and the admin on the primary.

Installed only when DATABASE_REPLICA_URL is set (see settings). `ReplicaMiddleware` decides per
request and the router follows: an anonymous GET or HEAD of the public site or the API reads the
replica; anything else (writes, signed-in editors, the admin, Celery tasks, commands) reads and
writes the primary.

A replica lags the primary by a little. So that whoever just wrote reads what they wrote, a
write pins its author to the primary for GCM_REPLICA_PIN_SECONDS: browsers by a cookie, API
callers by their Authorization header (remembered, hashed, in the shared cache).
"""

import contextlib
import hashlib
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import connections

PRIMARY = "default"
REPLICA = "replica"
PIN_COOKIE = "gcm_primary"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

# Outside a request (tasks, commands, tests) everything stays on the primary.
_reads_from: ContextVar[str] = ContextVar("gcm_reads_from", default=PRIMARY)


def reads_from() -> str:
    """The database alias reads go to in the current context."""
    return _reads_from.get()


def _pin_key(authorization: str) -> str:
    return "gcm:replica-pin:" + hashlib.sha256(authorization.encode()).hexdigest()


def _admin_path(path: str) -> bool:
    # The admin carries a language prefix: /admin/, /es/admin/...
    parts = path.strip("/").split("/")
    return "admin" in parts[:2]


def choose(request) -> str:
    """Where this request's reads go."""
    if request.method not in SAFE_METHODS or _admin_path(request.path_info):
        return PRIMARY
    if request.COOKIES.get(PIN_COOKIE):
        return PRIMARY
    authorization = request.headers.get("Authorization", "")
    if authorization and cache.get(_pin_key(authorization)):
        return PRIMARY
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return PRIMARY
    return REPLICA


class ReplicaMiddleware:
    """Routes each request's reads; pins whoever writes to the primary for a while."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = choose(request)
        token = _reads_from.set(chosen)
        try:
            response = self.get_response(request)
        finally:
            _reads_from.reset(token)
        if request.method not in SAFE_METHODS:
            self.pin(request, response)
        elif response.streaming and chosen != PRIMARY:
            response.streaming_content = _reading_from(chosen, response.streaming_content)
        return response

    @staticmethod
    def pin(request, response):
        """Send this writer's reads to the primary until the replica has caught up."""
        seconds = settings.GCM_REPLICA_PIN_SECONDS
        response.set_cookie(
            PIN_COOKIE,
            "1",
            max_age=seconds,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
        authorization = request.headers.get("Authorization", "")
        if authorization:
            cache.set(_pin_key(authorization), 1, timeout=seconds)


def _reading_from(alias: str, chunks):
    """A streamed body's rows are read as it is sent, after the view returned: same database."""
    token = _reads_from.set(alias)
    try:
        yield from chunks
    finally:
        # Closed from another context (the server's), there is nothing left to restore.
        with contextlib.suppress(ValueError):
            _reads_from.reset(token)


class PrimaryReplicaRouter:
    """Reads go where the request's middleware said; every write, and every migration, to the
    primary. Inside a transaction on the primary, reads stay there to see its own writes."""

    def db_for_read(self, model, **hints):
        alias = reads_from()
        if alias == REPLICA and connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return alias

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data: rows read from either may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY
