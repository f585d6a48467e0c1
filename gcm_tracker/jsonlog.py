"""Structured logs: one JSON object per line, for log shippers and search.

Production (DEBUG off) logs this way unless DJANGO_LOG_FORMAT=text; gunicorn.conf.py uses the
same formatter for gunicorn's own error and access logs, so every line of a web process parses
the same way. Only the standard library is used: gunicorn loads this before Django.
"""

import json
import logging
import traceback
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else on a record was passed as `extra`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
# gunicorn's access-log atoms worth a field of their own.
_ACCESS = {
    "h": "remote_addr",
    "m": "method",
    "U": "path",
    "q": "query",
    "s": "status",
    "B": "bytes",
    "f": "referer",
    "a": "user_agent",
}


def _plain(value):
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


class JSONFormatter(logging.Formatter):
    """time, level, logger and message, plus the request's details and any `extra`."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            atoms = record.args
            for atom, name in _ACCESS.items():
                if atom in atoms and atoms[atom] not in ("-", None):
                    entry[name] = atoms[atom]
            if "s" in atoms and str(atoms["s"]).isdigit():
                entry["status"] = int(atoms["s"])
            if "D" in atoms:
                entry["duration_ms"] = round(int(atoms["D"]) / 1000, 1)
            entry["message"] = f"{atoms.get('m', '')} {atoms.get('U', '')} {atoms.get('s', '')}"
        else:
            entry["message"] = record.getMessage()
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            entry["method"] = getattr(request, "method", None)
            entry["path"] = request.path
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry and key != "request":
                entry[key] = _plain(value)
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)
