"""gunicorn's configuration for the tracker: `gunicorn gcm_tracker.wsgi` reads it from here.

Everything comes from the environment (listed in .env.example); docs/deploy.md explains the
choices. Threads, not only processes: a worker thread streaming a large CSV export does not
stop the worker answering its heartbeat, and a request waiting on the database leaves the
worker's other threads free.
"""

import multiprocessing
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gcm_tracker.env import env_bool, env_int, env_str  # noqa: E402  (needs the path above)

bind = env_str("GUNICORN_BIND", default="") or f"0.0.0.0:{env_int('PORT', default=8000)}"
workers = env_int("WEB_CONCURRENCY", default=max(2, multiprocessing.cpu_count() * 2))
threads = env_int("GUNICORN_THREADS", default=4)
worker_class = "gthread" if threads > 1 else "sync"
# A worker silent this long is killed and replaced; requests themselves may take longer.
timeout = env_int("GUNICORN_TIMEOUT", default=30)
graceful_timeout = timeout
keepalive = env_int("GUNICORN_KEEPALIVE", default=5)
# Replacing workers now and then bounds any slow growth of their memory.
max_requests = env_int("GUNICORN_MAX_REQUESTS", default=2000)
max_requests_jitter = max_requests // 10
forwarded_allow_ips = env_str("FORWARDED_ALLOW_IPS", default="127.0.0.1")
# Heartbeat files in memory: a container's disk can stall long enough to kill healthy workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

accesslog = "-"
errorlog = "-"
loglevel = env_str("DJANGO_LOG_LEVEL", default="INFO").lower()
if env_str("DJANGO_LOG_FORMAT", default="text" if env_bool("DJANGO_DEBUG") else "json") == "json":
    # The same one-object-per-line format as the application's logs (gcm_tracker/jsonlog.py).
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "gcm_tracker.jsonlog.JSONFormatter"}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            }
        },
        # gunicorn merges this over its defaults, whose root logger names a handler replaced here.
        "root": {"handlers": ["stdout"], "level": loglevel.upper()},
        "loggers": {
            "gunicorn.error": {
                "handlers": ["stdout"],
                "level": loglevel.upper(),
                "propagate": False,
            },
            "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        },
    }
else:
    access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
