"""Small helpers shared by the repositories."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dispatch.errors import ConflictError

Clock = Callable[[], datetime]
"""Returns the current instant (timezone-aware); injectable for tests."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_utc(name: str, instant: datetime) -> datetime:
    """``instant`` in UTC; naive datetimes are refused before they reach the database."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {instant.isoformat()}")
    return instant.astimezone(UTC)


def flush_or_conflict(session: Session, what: str) -> None:
    """Flush pending changes, turning a constraint violation into a ``ConflictError``.

    After a failed flush the session must be rolled back (``session_scope`` does it).
    """
    try:
        session.flush()
    except IntegrityError as exc:
        raise ConflictError(f"{what} conflicts with existing data: {exc.orig}") from exc
