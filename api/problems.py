"""One error shape for every 4xx and 5xx: RFC 9457 ``application/problem+json``.

Domain errors are mapped to statuses here and nowhere else. Validation errors list
each offending field as a dotted path (``body.tickets.0.latitude``).

Only the project's own errors (``dispatch.errors.DispatchError`` and its subclasses) are
the client's fault. Any other exception, a ``KeyError`` or ``ValueError`` included, is a
bug: a 500 whose traceback is logged with the request id, which the body also carries.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from api.request_id import HEADER, request_id
from dispatch.errors import (
    ConflictError,
    DispatchError,
    InvalidInputError,
    NotFoundError,
    StaleVersionError,
)
from dispatch.lifecycle import IllegalTransitionError
from dispatch.services.auth import ForbiddenError
from dispatch.services.tickets import IdempotencyKeyReusedError
from dispatch.store.jobs import JobAlreadyRunningError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, with our extensions ``errors``, ``job_id`` and
    ``request_id`` (the ``X-Request-ID`` of the request, as in the server's log)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None
    job_id: int | None = None
    request_id: str | None = None


def problem(
    status: int, detail: str | None, request: Request | None = None, **extra: Any
) -> JSONResponse:
    rid = request_id(request) if request is not None else None
    body = Problem(
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path if request is not None else None,
        request_id=rid,
        **extra,
    )
    headers = {HEADER: rid} if rid is not None else None
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


Responses = dict[int | str, dict[str, Any]]


def problem_responses(*statuses: int, **others: dict[str, Any]) -> Responses:
    """OpenAPI ``responses`` for the problem statuses an operation may return.

    ``others`` adds entries for other statuses, keyed ``"s200"`` for 200.
    """
    extra: Responses = {int(key.removeprefix("s")): value for key, value in others.items()}
    return extra | {
        status: {
            "model": Problem,
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_JSON: {}},
        }
        for status in statuses
    }


def field_errors(errors: Sequence[Any]) -> list[FieldError]:
    return [
        FieldError(field=".".join(str(part) for part in e["loc"]), message=e["msg"]) for e in errors
    ]


def _validation(request: Request, error: Exception) -> JSONResponse:
    """422 naming each field; 400 when the body is not JSON at all (a syntax error is a
    malformed request, not a well-formed one that breaks a rule)."""
    assert isinstance(error, RequestValidationError)
    malformed = [e for e in error.errors() if e.get("type") == "json_invalid"]
    if malformed:
        where = malformed[0]["loc"][-1]
        reason = malformed[0].get("ctx", {}).get("error", "JSON decode error")
        detail = f"the body is not valid JSON: {reason} (at character {where})"
        return problem(400, detail, request, errors=[{"field": "body", "message": detail}])
    errors = field_errors(error.errors())
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
    return problem(422, detail, request, errors=[e.model_dump() for e in errors])


def _http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    response = problem(error.status_code, str(error.detail), request)
    response.headers.update(error.headers or {})
    if error.status_code == 405:
        response.headers["Allow"] = ", ".join(_allowed_methods(request))
    return response


def _allowed_methods(request: Request) -> list[str]:
    """Every documented method of the path (Starlette names only the first route's)."""
    paths: dict[str, dict[str, Any]] = request.app.openapi()["paths"]
    for template, operations in paths.items():
        if re.fullmatch(re.sub(r"\{[^}/]+\}", "[^/]+", template), request.url.path):
            return sorted(method.upper() for method in operations)
    return []


def _job_running(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, JobAlreadyRunningError)
    return problem(409, str(error), request, job_id=error.job.id)


def _status(status: int) -> Callable[[Request, Exception], JSONResponse]:
    def handle(request: Request, error: Exception) -> JSONResponse:
        return problem(status, str(error), request)

    return handle


def _invalid(request: Request, error: Exception) -> JSONResponse:
    """A rule a service checks (not the schema): the field it names, located like the
    schema's errors (``query.to``, ``body.at``)."""
    assert isinstance(error, InvalidInputError)
    if error.field is None:
        return problem(422, str(error), request)
    where = "query" if error.field in request.query_params else "body"
    field = f"{where}.{error.field}"
    return problem(
        422,
        f"{field}: {error}",
        request,
        errors=[FieldError(field=field, message=str(error)).model_dump()],
    )


def _unstorable(request: Request, error: Exception) -> JSONResponse:
    """The database refused a value the schema let through (PostgreSQL rejects NUL
    characters in text): bad input, not a server fault. The SQL is not echoed."""
    assert isinstance(error, DataError)
    reason = str(error.orig).splitlines()[0] if error.orig is not None else "invalid value"
    return problem(422, f"a value cannot be stored: {reason}", request)


def _unexpected(request: Request, error: Exception) -> JSONResponse:
    rid = request_id(request)
    log.error(
        "unhandled error on %s %s [request_id=%s]",
        request.method,
        request.url.path,
        rid,
        exc_info=error,
    )
    return problem(
        500, f"an unexpected error occurred; it has been logged as request {rid}", request
    )


_STATUS_OF: tuple[tuple[type[Exception], int], ...] = (
    (NotFoundError, 404),
    (ForbiddenError, 403),
    (StaleVersionError, 412),
    (IllegalTransitionError, 409),
    (ConflictError, 409),
    (IdempotencyKeyReusedError, 422),
    (DispatchError, 422),
)
"""Most specific first; Starlette picks the handler of the nearest class in the MRO."""


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem response."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(JobAlreadyRunningError, _job_running)
    app.add_exception_handler(DataError, _unstorable)
    app.add_exception_handler(InvalidInputError, _invalid)
    for error_class, status in _STATUS_OF:
        app.add_exception_handler(error_class, _status(status))
    app.add_exception_handler(Exception, _unexpected)
