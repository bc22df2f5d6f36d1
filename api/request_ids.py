"""A request id on every request: taken from ``X-Request-ID`` (a proxy's) or made up,
returned in the response's ``X-Request-ID`` and on every log line written while the
request is handled (``dispatch.services.logs``), so one id finds a request's story."""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable

from fastapi import Request, Response

from dispatch.services.logs import log_context

HEADER = "X-Request-ID"
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
"""A client's id is kept only if it is short and harmless in a log line."""


async def request_ids(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    given = request.headers.get(HEADER, "")
    request_id = given if _ACCEPTABLE.match(given) else secrets.token_hex(8)
    with log_context(request_id=request_id):
        response = await call_next(request)
    response.headers[HEADER] = request_id
    return response
