"""Running the app under uvicorn with connection limits (``dispatch serve``).

uvicorn closes an idle keep-alive connection after ``timeout_keep_alive`` and answers 503
beyond ``limit_concurrency`` connections, but it has no timeout for reading a request's
headers: a client that sends one header byte at a time keeps its connection (and a
``limit_concurrency`` slot) forever. ``HeaderTimeoutProtocol`` adds one: a connection
waiting for a request's headers (a fresh one, or a kept-alive one that has started
sending its next request) is closed if they are not complete within
``HEADER_TIMEOUT_SECONDS``.

The protocol is uvicorn's ``httptools`` one (a C parser) on ``uvloop`` (uvicorn's "auto"
loop picks it where it is installed: not on Windows): every request's
parsing and writing runs on the event loop, the thread that answers ``/healthz``, so the
less of it there is in Python the sooner the loop is free (``docs/api.md``,
"Concurrency").
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.settings import ApiSettings

SHUTDOWN_GRACE_S = 10
"""Requests in flight at shutdown get this long to finish."""


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol, closing connections whose headers do not arrive in time.

    The clock runs from a connection's opening, and from the first byte of each later
    request, until that request's headers are complete. An idle kept-alive connection
    (nothing received since the last response) is left to uvicorn's keep-alive timeout.
    """

    header_timeout_s = ApiSettings.model_fields["header_timeout_seconds"].default

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_clock()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._start_clock()

    def on_headers_complete(self) -> None:
        self._stop_clock()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_clock()
        super().connection_lost(exc)

    def _start_clock(self) -> None:
        if self._header_deadline is None:
            self._header_deadline = self.loop.call_later(self.header_timeout_s, self._expire)

    def _stop_clock(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _expire(self) -> None:
        self._header_deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def run(host: str, port: int) -> None:
    """Serve the app from the environment's settings, with the limits above."""
    settings = ApiSettings()
    HeaderTimeoutProtocol.header_timeout_s = settings.header_timeout_seconds
    uvicorn.run(
        "api.main:app_from_environment",
        factory=True,
        host=host,
        port=port,
        http=HeaderTimeoutProtocol,
        loop="auto",
        timeout_keep_alive=settings.keep_alive_seconds,
        limit_concurrency=settings.max_connections,
        timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
        log_config=None,
    )
