"""Running the app under uvicorn with connection limits (``dispatch serve``).

uvicorn closes an idle keep-alive connection after ``timeout_keep_alive`` and answers 503
beyond ``limit_concurrency`` connections, but it has no timeout for reading a request's
headers: a client that sends one header byte at a time keeps its connection (and a
``limit_concurrency`` slot) forever. ``HeaderTimeoutProtocol`` adds one: a connection
waiting for a request's headers (a fresh one, or a kept-alive one that has started
sending its next request) is closed if they are not complete within
``HEADER_TIMEOUT_SECONDS``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from api.settings import ApiSettings

SHUTDOWN_GRACE_S = 10
"""Requests in flight at shutdown get this long to finish."""


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, closing connections whose headers do not arrive in time."""

    header_timeout_s = ApiSettings.model_fields["header_timeout_seconds"].default

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch_headers()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_watching()
        super().connection_lost(exc)

    def _awaiting_headers(self) -> bool:
        return self.conn.their_state is h11.IDLE and not self.transport.is_closing()

    def _watch_headers(self) -> None:
        """Start the clock when a request's headers are awaited; stop it once they are in.

        An idle kept-alive connection (nothing received since the last response) is left
        to uvicorn's keep-alive timeout.
        """
        waiting = self._awaiting_headers() and (
            self.cycle is None or bool(self.conn.trailing_data[0])
        )
        if not waiting:
            self._stop_watching()
        elif self._header_deadline is None:
            self._header_deadline = self.loop.call_later(self.header_timeout_s, self._expire)

    def _stop_watching(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _expire(self) -> None:
        self._header_deadline = None
        if self._awaiting_headers():
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
        timeout_keep_alive=settings.keep_alive_seconds,
        limit_concurrency=settings.max_connections,
        timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
        log_config=None,
    )
