"""Slow-header connections are closed by ``dispatch serve``; normal requests go on."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import httpx
from sqlalchemy.orm import Session

from tests.api.live_server import live_server

SLOW_CLIENTS = 30
PARTIAL = b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Slow: "
LIMITS = {"HEADER_TIMEOUT_SECONDS": "1", "KEEP_ALIVE_SECONDS": "2"}
NEVER_S = 20
"""Far beyond the 1 s header timeout: a connection still open by then was never closed."""


def _connect(base: str) -> socket.socket:
    address = urlsplit(base)
    connection = socket.create_connection((address.hostname, address.port))
    connection.settimeout(NEVER_S)
    return connection


def _closed_by_server(connection: socket.socket, deadline: float) -> bool:
    """True once the server closes the connection (after any response it sent)."""
    connection.settimeout(max(0.1, deadline - time.monotonic()))
    try:
        while connection.recv(4096):
            pass
        return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_connections_that_never_finish_their_headers_are_closed(
    database_url: str, session: Session
) -> None:
    with live_server(database_url, LIMITS) as base:
        slow = [_connect(base) for _ in range(SLOW_CLIENTS)]
        for connection in slow:
            connection.sendall(PARTIAL)
        kept_alive = _connect(base)
        kept_alive.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        assert kept_alive.recv(4096).startswith(b"HTTP/1.1 200")
        kept_alive.sendall(PARTIAL)
        assert httpx.get(f"{base}/healthz", timeout=NEVER_S).status_code == 200
        deadline = time.monotonic() + NEVER_S
        outcomes = [_closed_by_server(c, deadline) for c in [*slow, kept_alive]]
        assert httpx.get(f"{base}/healthz", timeout=NEVER_S).status_code == 200
        for connection in [*slow, kept_alive]:
            connection.close()
    assert outcomes == [True] * (SLOW_CLIENTS + 1)
