"""503 while the database or the job broker is unreachable, not a 500 that looks like a bug.

``OperationalError`` is what SQLAlchemy raises when the connection cannot be made or
drops mid-request: the request may well succeed a few seconds later, so the client is
told so (``Retry-After``). Likewise a new job while the job broker is unreachable: a 503
instead of a job that would never start. Registered beside ``api.problems``' handlers by
``create_app``.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from api.problems import problem
from dispatch.services.jobs import RunnerUnavailableError

RETRY_AFTER_S = 5
log = logging.getLogger(__name__)


def unavailable(request: Request, detail: str) -> JSONResponse:
    """A 503 problem telling the client to come back in ``RETRY_AFTER_S``."""
    response = problem(503, detail, request)
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


def _database_unreachable(request: Request, error: Exception) -> JSONResponse:
    log.warning("database unreachable on %s %s: %s", request.method, request.url.path, error)
    return unavailable(request, "the database is unreachable; retry shortly")


def _runner_unavailable(request: Request, error: Exception) -> JSONResponse:
    log.warning("no job accepted on %s %s: %s", request.method, request.url.path, error)
    return unavailable(request, f"{error}; nothing was queued, retry shortly")


def install(app: FastAPI) -> None:
    app.add_exception_handler(OperationalError, _database_unreachable)
    app.add_exception_handler(RunnerUnavailableError, _runner_unavailable)
