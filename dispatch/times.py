"""Which instants the dispatch domain accepts: call times, planning days, reported times.

A call is registered, and a day planned, only between ``FIRST_DAY`` and ``LAST_DAY``: far
wider than any real call register needs, far inside what the calendar arithmetic supports,
so ``9999-12-31T23:59:59+14:00`` is a 422 naming the field rather than an overflow.

A time an engineer reports (leaving, arriving, finishing) must be plausible: after the
call, not before the ticket's previous reported time, and not later than now plus
``CLOCK_SKEW`` (a phone's clock may run a little ahead of the server's).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from dispatch.errors import InvalidInputError

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)

DAY_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
"""ISO 8601 days from 2000 to 2099, as a JSON Schema ``pattern`` (the schema's range)."""

CLOCK_SKEW = timedelta(minutes=5)
"""How far in the server's future a reported time may lie."""


def check_day(day: date, field: str = "date") -> date:
    """``day`` if it lies in ``[FIRST_DAY, LAST_DAY]``, else ``InvalidInputError``."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInputError(f"must be between {FIRST_DAY} and {LAST_DAY}", field=field)
    return day


def utc_within(instant: datetime, earliest: datetime, latest: datetime) -> datetime | None:
    """An aware ``instant`` in UTC if it lies in ``[earliest, latest)``, else None (also
    when converting it would overflow, as ``0001-01-01T00:00+14:00`` does)."""
    try:
        utc = instant.astimezone(UTC)
    except OverflowError:
        return None
    return utc if earliest <= utc < latest else None


def check_instant(instant: datetime, field: str) -> datetime:
    """An aware instant whose own date (as written, in its offset) lies in ``[FIRST_DAY,
    LAST_DAY]``, returned unchanged: the same test as the schema's pattern on the text."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise InvalidInputError("must include a UTC offset", field=field)
    if not FIRST_DAY <= instant.date() <= LAST_DAY:
        raise InvalidInputError(f"must be between {FIRST_DAY} and {LAST_DAY}", field=field)
    return instant


def check_reported(
    at: datetime, *, called_at: datetime, previous: datetime | None, now: datetime
) -> datetime:
    """``at`` if it is a plausible reported time for a ticket called at ``called_at`` whose
    latest reported time is ``previous``; else ``InvalidInputError`` on ``at``."""
    check_instant(at, "at")
    if at <= called_at:
        raise InvalidInputError(
            f"must be after the call ({called_at.astimezone(UTC).isoformat()})", field="at"
        )
    if previous is not None and at < previous:
        raise InvalidInputError(
            f"must not be before the previous reported time "
            f"({previous.astimezone(UTC).isoformat()})",
            field="at",
        )
    if at > now + CLOCK_SKEW:
        raise InvalidInputError(
            f"must not be in the future (more than {CLOCK_SKEW} after the server's clock)",
            field="at",
        )
    return at
