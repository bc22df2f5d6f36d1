"""The server's settings: the store's (``dispatch.settings``) plus the API's own limits."""

from __future__ import annotations

from pydantic import Field

from dispatch.settings import Settings


class ApiSettings(Settings):
    """Read from the environment, e.g. ``MAX_BODY_BYTES=65536``."""

    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    """Larger request bodies get 413 before they are parsed."""
    solve_workers: int = Field(default=2, ge=1)
    """Solves that may run at once in local worker processes; more wait queued."""
    emergency_workers: int = Field(default=1, ge=0)
    """Further local worker slots only emergency re-plans may use, so that an emergency
    never waits for a daily plan to finish (issue 9, item 11)."""
    events_poll_seconds: float = Field(default=0.5, gt=0)
    """How often the server-sent event stream re-reads a job."""
    events_max_seconds: float = Field(default=600.0, gt=0)
    """An event stream ends after this long even if its job has not."""
