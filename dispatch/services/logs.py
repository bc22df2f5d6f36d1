"""Logs a person can follow across processes: one JSON object per line, with context.

A request's lines carry its ``request_id`` (API), a job's lines its ``job_id`` and
``attempt`` (workers): grep one id and the story reads end to end, whichever process
or machine wrote it. A failed job's traceback is in its line's ``traceback``.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

_context: ContextVar[dict[str, Any] | None] = ContextVar("log_context", default=None)


@contextmanager
def log_context(**values: Any) -> Iterator[None]:
    """Add ``values`` to every log line written in this context (this thread or task)."""
    token = _context.set((_context.get() or {}) | values)
    try:
        yield
    finally:
        _context.reset(token)


def job_context(job_id: int, attempt: int) -> Any:
    return log_context(job_id=job_id, attempt=attempt)


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "message", "pid", ...context, "traceback"?}``."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
            **(_context.get() or {}),
        }
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_json_logging(level: int | str = logging.INFO) -> None:
    """Send every logger's records to standard error as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
