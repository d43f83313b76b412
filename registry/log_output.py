"""How the server's log lines look: text for people, or one JSON object per line for machines.

JSON lines carry `time` (UTC, ISO 8601 with milliseconds), `level`, `logger`, `message`, the
id of the request being served (`request_id`, when there is one) and the exception's
traceback (`exc_info`) when one is logged. The request id reaches the formatter through a
context variable, set by the HTTP layer for the task serving each request and stamped on
each record by the handler's filter, so every line logged while serving it (uvicorn's access
line included) names it.
"""

from __future__ import annotations

import json
import logging
import time
from contextvars import ContextVar
from typing import Any

#: The id of the request the current task serves (None outside a request).
current_request_id: ContextVar[str | None] = ContextVar("cairn_request_id", default=None)

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request's id as it is emitted (in the thread and
    task that logged it; a formatter may run later, elsewhere)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add `request_id` (None outside a request); never drops a record."""
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        line: dict[str, Any] = {
            "time": _utc_time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            line["request_id"] = request_id
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def _utc_time(created: float) -> str:
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created))
    return f"{seconds}.{int(created % 1 * 1000):03d}Z"


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler `configure_logging` installs, told apart from anyone else's."""


def configure_logging(level: str, log_format: str = "text") -> None:
    """Send every logger's records to stderr at `level`, formatted as `log_format`.

    Replaces the handler an earlier call installed (`cairn` sets up logging, then `serve`
    may change level and format), but leaves logging alone when someone else configured it
    first (a test runner, an application embedding Cairn).
    """
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {LOG_FORMATS}, not {log_format!r}")
    root = logging.getLogger()
    ours = [handler for handler in root.handlers if isinstance(handler, _Handler)]
    if root.handlers and not ours:
        return
    for handler in ours:
        root.removeHandler(handler)
    handler = _Handler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    root.addHandler(handler)
    root.setLevel(level.upper())
