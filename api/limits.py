"""Refuse request bodies over the size cap with a problem+json 413, before parsing.

The body is read here, up to the cap, and replayed to the app: a declared
``Content-Length`` over the cap is refused without reading, and a streamed body that grows
past it is refused as soon as it does. (FastAPI's own ``max_body_size`` answers a declared
length in plain text, and a streamed one becomes a 400 "error parsing the body".)
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem


class BodySizeLimit:
    """ASGI middleware: request bodies of at most ``max_bytes`` reach the app."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        body = None
        if declared is None or (declared.isdigit() and int(declared) <= self.max_bytes):
            body = await self._read(receive)
        if body is None:
            refusal = problem(413, f"request bodies are limited to {self.max_bytes} bytes")
            await refusal(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes | None:
        """The whole body, or None once it exceeds the cap."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that yields the buffered body once, then defers to the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
