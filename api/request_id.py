"""``X-Request-ID``: one id per request, in the response and in every log line about it.

Every log line written while the request is handled carries it (``log_context``, read by
``dispatch.services.logs``'s JSON formatter), so one id finds a request's story.

A client's id is kept if it is sane (1-64 characters of ``A-Z a-z 0-9 . _ : -``), so a
caller can follow its own id through our logs; anything else is replaced by a fresh one.
The id is stored in the ASGI scope (``scope["request_id"]``), shared by every layer of the
app, so the 500 handler (which runs outside the middleware) finds and echoes it too.
"""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dispatch.services.logs import log_context

HEADER = "X-Request-ID"
_SANE = re.compile(rb"^[A-Za-z0-9._:-]{1,64}$")


def request_id(request: Request) -> str:
    """The request's id (a fresh one if the middleware did not run)."""
    found = request.scope.get("request_id")
    if isinstance(found, str):
        return found
    fresh = uuid.uuid4().hex
    request.scope["request_id"] = fresh
    return fresh


class RequestId:
    """ASGI middleware: accept or assign the request id and echo it on the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(HEADER.lower().encode())
        rid = given.decode() if given is not None and _SANE.match(given) else uuid.uuid4().hex
        scope["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = rid
            await send(message)

        with log_context(request_id=rid):
            await self.app(scope, receive, send_with_id)
