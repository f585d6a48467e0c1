"""Settings for the GCM Commitment Tracker, read from the environment (see .env.example)."""

import os
import tempfile
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from gcm_tracker.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)
# The development key only works with DEBUG on; production must set its own.
SECRET_KEY = env_str(
    "DJANGO_SECRET_KEY",
    default="development-only-insecure-key-gcm-tracker" if DEBUG else None,
)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "simple_history",
    "csp",
    "axes",
    "objectives",
    "consultations",
    "recommendations",
    "partners",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so it sees the outcome of every login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gcm_tracker.urls"
WSGI_APPLICATION = "gcm_tracker.wsgi.application"
ASGI_APPLICATION = "gcm_tracker.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite when DATABASE_URL is unset, so `make run` needs no database server.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=0),
        conn_health_checks=True,
    )
}
# Public reads from a read replica, through gcm_tracker/db_router.py, when one is given.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=0),
        conn_health_checks=True,
    )
    # Tests read the replica through the primary's test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["gcm_tracker.db_router.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "gcm_tracker.db_router.ReplicaMiddleware",
    )
# How long whoever wrote keeps reading from the primary, to see their write on the replica.
GCM_REPLICA_PIN_SECONDS = env_int("GCM_REPLICA_PIN_SECONDS", default=10)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so a Celery worker started by a test can share the test database.
    # One file per test run, so concurrent runs never share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"gcm-tracker-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Opt in now to the Django 6 default, so links typed without a scheme become https.
FORMS_URLFIELD_ASSUME_HTTPS = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("pt", _("Portuguese")),
    ("fr", _("French")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "media/"

# Webhooks: failing receivers are retried with exponential backoff for up to a day.
GCM_WEBHOOK_TIMEOUT_SECONDS = env_int("GCM_WEBHOOK_TIMEOUT_SECONDS", default=10)
GCM_WEBHOOK_BACKOFF_SECONDS = env_int("GCM_WEBHOOK_BACKOFF_SECONDS", default=30)
GCM_WEBHOOK_BACKOFF_MAX_SECONDS = env_int("GCM_WEBHOOK_BACKOFF_MAX_SECONDS", default=4 * 3600)
GCM_WEBHOOK_RETRY_WINDOW_SECONDS = env_int("GCM_WEBHOOK_RETRY_WINDOW_SECONDS", default=24 * 3600)
GCM_WEBHOOK_PAUSE_AFTER_FAILURES = env_int("GCM_WEBHOOK_PAUSE_AFTER_FAILURES", default=20)
# Retries due sooner than this are queued with a countdown; later ones by the dispatcher.
GCM_WEBHOOK_DIRECT_RETRY_MAX_SECONDS = env_int("GCM_WEBHOOK_DIRECT_RETRY_MAX_SECONDS", default=300)
GCM_WEBHOOK_QUEUE_LEASE_SECONDS = env_int("GCM_WEBHOOK_QUEUE_LEASE_SECONDS", default=900)

# A published recommendation is due for review this many days after its last follow-up.
GCM_REVIEW_INTERVAL_DAYS = env_int("GCM_REVIEW_INTERVAL_DAYS", default=180)
# Spreadsheet imports: a larger file is refused before it is read; rows below the header.
GCM_IMPORT_MAX_BYTES = env_int("GCM_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
GCM_IMPORT_MAX_ROWS = env_int("GCM_IMPORT_MAX_ROWS", default=20_000)

SEED_DOCUMENTS_DIR = Path(
    env_str("GCM_SEED_DOCUMENTS_DIR", default=str(BASE_DIR.parent / "shared" / "seeds"))
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so an anonymous write is answered 401 with WWW-Authenticate: Bearer.
        "partners.authentication.PartnerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["gcm_tracker.api.permissions.ReadOrSignedWrite"],
    "DEFAULT_THROTTLE_CLASSES": ["gcm_tracker.api.throttling.CallerRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_RATE_ANONYMOUS", default="120/minute"),
        "partner": env_str("API_RATE_PARTNER", default="600/minute"),
        "user": env_str("API_RATE_USER", default="600/minute"),
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["gcm_tracker.api.parsers.LimitedJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "gcm_tracker.api.negotiation.StrictContentNegotiation",
    "DEFAULT_FILTER_BACKENDS": ["gcm_tracker.api.filters.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "gcm_tracker.api.pagination.TrackerPagination",
    "DEFAULT_SCHEMA_CLASS": "gcm_tracker.api.schema.TrackerAutoSchema",
    "EXCEPTION_HANDLER": "gcm_tracker.api.exceptions.exception_handler",
}
# JSON bodies larger than this get a 413; a recommendation with its text is a few KiB.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", default=256 * 1024)
SPECTACULAR_SETTINGS = {
    "TITLE": "GCM Commitment Tracker API",
    "DESCRIPTION": (
        "Recommendations made to governments under the Global Compact for Safe, Orderly and "
        "Regular Migration, the consultations where they were made, and their follow-up. "
        "Anonymous callers read published data; partner tokens (`Authorization: Bearer …`) "
        "raise the rate limit and, with write scope, create draft recommendations and record "
        "follow-up. See the partner guide, docs/api.md, for syncing, paging and errors."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "gcm_tracker.api.schema.describe_fields",
    ],
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "recommendations.models.Status",
        "LanguageEnum": "recommendations.models.Language",
        "OrganizationKindEnum": "consultations.models.Organization.Kind",
        "CountryEnum": "django_countries.countries",
    },
}
# Throttling counts and the home and coverage aggregates live here: per process in memory
# without a cache URL, shared by every web process and worker with Redis.
CACHE_URL = env_str("CACHE_URL", default="") or env_str("REDIS_URL", default="")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
        # A cache that stops answering slows pages down; it must not hang them.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# The home and coverage aggregates are recounted after any change, or after this long at most.
GCM_AGGREGATES_CACHE_SECONDS = env_int("GCM_AGGREGATES_CACHE_SECONDS", default=900)

# Anyone may read the API from a browser on another site; writes are not offered to them.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "authorization", "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After", "Content-Disposition"]

# Celery: with no REDIS_URL tasks run eagerly in the web process, so `make run` needs no Redis.
REDIS_URL = env_str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# An unacknowledged task (its worker died) goes back to the queue after this many seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", default=600),
    # How often a worker looks for such tasks: every interval × throttle seconds.
    "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env_int("CELERY_UNACKED_RESTORE_THROTTLE", default=6),
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_BEAT_SCHEDULE = {
    "webhook-retries": {
        "task": "webhooks.tasks.dispatch_due_deliveries",
        "schedule": env_int("GCM_WEBHOOK_DISPATCH_EVERY_SECONDS", default=60),
    },
    "propose-repeats": {
        "task": "recommendations.tasks.propose_repeats",
        "schedule": crontab(hour=env_int("GCM_DIGEST_HOUR", default=6), minute=30),
    },
    "daily-digest": {
        "task": "recommendations.tasks.send_daily_digests",
        "schedule": crontab(hour=env_int("GCM_DIGEST_HOUR", default=6), minute=0),
    },
}

EMAIL_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", default="tracker@localhost")
EMAIL_FILE_PATH = env_str("DJANGO_EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
# Absolute links in e-mails and webhooks.
GCM_SITE_URL = env_str("GCM_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

LOGIN_URL = "admin:login"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out login is refused before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Admin login rate limit: after this many failures for one user name from one address, that
# pair is locked out for the cool-off period.
AXES_FAILURE_LIMIT = env_int("GCM_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env_int("GCM_LOGIN_COOLOFF_MINUTES", default=30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_SENSITIVE_PARAMETERS = ["password", "token", "secret"]
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", default=0)

# Security headers. Scripts only from our own origin, never inline; styles may be inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe the health check over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("DJANGO_BEHIND_TLS_PROXY", default=False):
        # The load balancer ends TLS and says so in this header.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# One JSON object per line in production (see gcm_tracker/jsonlog.py); plain text in development.
LOG_FORMAT = env_str("DJANGO_LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT={LOG_FORMAT!r}: use json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "gcm_tracker.jsonlog.JSONFormatter"},
        "text": {"format": "%(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", default="INFO")},
}
