"""The server's settings: the store's (``dispatch.settings``) plus the API's own limits."""

from __future__ import annotations

from pydantic import Field

from api.ratelimit import Limit
from dispatch.settings import Settings


class ApiSettings(Settings):
    """Read from the environment, e.g. ``MAX_BODY_BYTES=65536``."""

    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    """Larger request bodies get 413 before they are parsed."""
    solve_workers: int = Field(default=2, ge=1)
    """Solves that may run at once in local worker processes; more wait queued."""
    db_connections: int = Field(default=4, ge=1, le=256)
    """Requests that may use the database at once; more wait their turn on the event
    loop, holding no thread and no connection. The pool has this many connections plus
    the job runner's, so a request that got its turn never waits for a connection.
    Four: one process runs Python on one core at a time, and more request threads only
    make the event loop (and ``/healthz``) wait longer for it (``docs/api.md``)."""
    rate_limit_per_address: float = Field(default=50.0, gt=0)
    """Requests a second one client address may send to ``/api/`` (429 beyond)."""
    rate_limit_per_token: float = Field(default=20.0, gt=0)
    """Requests a second one bearer token may send."""
    rate_limit_failed_auth: float = Field(default=1.0, gt=0)
    """Failed authentications (401) a second one address may cause."""
    rate_limit_burst_seconds: float = Field(default=5.0, ge=1)
    """Each limit allows a burst of this many seconds' worth of requests."""
    header_timeout_seconds: float = Field(default=10.0, gt=0)
    """A connection must send a request's complete headers within this long (else closed)."""
    keep_alive_seconds: int = Field(default=5, ge=1)
    """An idle keep-alive connection is closed after this long."""
    max_connections: int = Field(default=1000, ge=1)
    """Open connections and requests at once; beyond, uvicorn answers 503."""
    emergency_workers: int = Field(default=1, ge=0)
    """Further local worker slots only emergency re-plans may use, so that an emergency
    never waits for a daily plan to finish (issue 9, item 11)."""
    events_poll_seconds: float = Field(default=0.5, gt=0)
    """How often the server-sent event stream re-reads a job."""
    events_max_seconds: float = Field(default=600.0, gt=0)
    """An event stream ends after this long even if its job has not."""

    session_secret: str | None = None
    """Signs the pages' session cookies; unset, a random key per server start (sessions
    then end when the server restarts). Set it when several server processes share users."""
    session_hours: float = Field(default=10.0, gt=0, le=24 * 30)
    """A page session lasts this long after login (the token's own expiry still applies)."""

    def limit(self, rate: float) -> Limit:
        """A rate limit of ``rate`` requests a second, with the configured burst."""
        return Limit(rate, rate * self.rate_limit_burst_seconds)
