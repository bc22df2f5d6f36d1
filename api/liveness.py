"""``GET /healthz`` answered before any other layer of the app.

A liveness probe must answer while the server is saturated: under 200 concurrent clients
the request-id, rate-limit, body-size and metrics layers, the router and the JSON encoder
all take turns on the one event loop with every other request, and at the peaks a probe
waited over 100 ms for them (``docs/benchmarks/api.md``, "The API under 200 concurrent
clients"). This layer, inside only the request id's, answers the probe itself with a
constant body, so its cost is a few dictionary lookups. The route in
``api/routers/health.py`` stays for the OpenAPI document (and answers when the app runs
without this layer).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

PATH = "/healthz"
BODY = b'{"status":"ok"}'
HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(BODY)).encode()),
    (b"cache-control", b"no-store"),
]


class Liveness:
    """ASGI middleware: answer ``GET``/``HEAD /healthz`` at once, pass everything else on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] not in _METHODS:
            await self.app(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        body = b"" if scope["method"] == "HEAD" else BODY
        await send({"type": "http.response.body", "body": body})


_METHODS = frozenset({"GET", "HEAD"})
