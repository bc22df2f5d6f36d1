"""An office's business calendar and the working-time arithmetic behind the 6 h / 7 h rule.

The dispatch windows of 004 Art. 19 count *working* time: the clock runs only while the
office is open (SPEC §3, §5). This module answers "when has N hours of working time elapsed
since the call?" and "how much working time lies between two instants?".

All arithmetic is done on UTC instants. Python subtracts and adds aware datetimes that share
a ``tzinfo`` object on their wall clocks, which is wrong across a DST transition; converting
to UTC first avoids that. Each day's opening and closing are built from local wall time, so a
Europe/Berlin office still opens at 09:00 local on the day the clocks change.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dispatch.errors import InvalidInputError
from dispatch.times import utc_within

MAX_CLOSED_DAYS = 3 * 366
"""How many consecutive closed days a search crosses before it gives up (about 3 years)."""

EARLIEST_INSTANT = datetime(2, 1, 1, tzinfo=UTC)
LATEST_INSTANT = datetime(9990, 1, 1, tzinfo=UTC)
"""The calendar's arithmetic covers instants in ``[EARLIEST_INSTANT, LATEST_INSTANT)``, far
enough from ``datetime.min``/``max`` that adding a few years of closed days or a 36 h target
cannot overflow. Intake accepts a much narrower range (``dispatch.times``)."""

_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)

Interval = tuple[datetime, datetime]


class NoWorkingTimeError(InvalidInputError):
    """The calendar has no opening hours within ``MAX_CLOSED_DAYS`` of an instant."""


class OutOfCalendarRangeError(InvalidInputError):
    """An instant (or a day reached from it) outside the range the calendar computes in."""


def _require_aware(instant: datetime, name: str) -> datetime:
    """Return ``instant`` as a UTC datetime; reject naive datetimes (their zone is a guess)
    and instants outside ``[EARLIEST_INSTANT, LATEST_INSTANT)``."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(
            f"{name} must be a timezone-aware datetime, got naive {instant.isoformat()}"
        )
    utc = utc_within(instant, EARLIEST_INSTANT, LATEST_INSTANT)
    if utc is None:
        raise OutOfCalendarRangeError(
            f"{name} {instant.isoformat()} is outside the calendar's range "
            f"{EARLIEST_INSTANT.date()} to {LATEST_INSTANT.date()}",
            field=name,
        )
    return utc


def _next_day(day: date) -> date:
    try:
        return day + _ONE_DAY
    except OverflowError:
        raise OutOfCalendarRangeError(f"no day after {day}") from None


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """When an office is open: time zone, daily hours, working weekdays and exceptions.

    A date is a working day if it is in ``extra_working_days`` (China's 调休 make-up days),
    or if its weekday is in ``working_days`` (Monday = 0) and it is not in ``holidays``.
    An office is open on a working day from ``opens`` (inclusive) to ``closes`` (exclusive),
    local wall time. Wall times that fall in a DST gap are read with the offset before the
    transition (PEP 495, ``fold=0``); a day whose closing would then not come after its
    opening counts as closed.
    """

    timezone: str = "Asia/Shanghai"
    opens: time = time(9, 0)
    closes: time = time(18, 0)
    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    holidays: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()
    holidays_known_through: date | None = None
    """The last day the holiday source covers (``None``: the lists are all there is).
    A later day follows the weekday rule, and plans touching it carry a warning."""

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidInputError(f"unknown IANA time zone {self.timezone!r}") from exc
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise InvalidInputError("opens and closes are local wall times and must be naive")
        if self.closes <= self.opens:
            raise InvalidInputError(f"closes ({self.closes}) must be after opens ({self.opens})")
        if not self.working_days <= frozenset(range(7)):
            raise InvalidInputError(
                f"working_days must be weekdays 0-6, got {sorted(self.working_days)}"
            )
        both = self.holidays & self.extra_working_days
        if both:
            raise InvalidInputError(f"dates both holiday and extra working day: {sorted(both)}")

    def zone(self) -> ZoneInfo:
        """The office's time zone."""
        return ZoneInfo(self.timezone)

    def holidays_known(self, day: date) -> bool:
        """Whether the holiday source covers ``day`` (always, without a source)."""
        return self.holidays_known_through is None or day <= self.holidays_known_through

    def is_working_day(self, day: date) -> bool:
        """Whether the office opens at all on ``day`` (a local calendar date)."""
        if day in self.extra_working_days:
            return True
        return day.weekday() in self.working_days and day not in self.holidays

    def opening_hours(self, day: date) -> tuple[datetime, datetime] | None:
        """The opening and closing instants of ``day`` in the office zone, None if closed."""
        hours = self._utc_hours(day)
        if hours is None:
            return None
        zone = self.zone()
        return hours[0].astimezone(zone), hours[1].astimezone(zone)

    def working_intervals(self, start: datetime, end: datetime) -> Iterator[Interval]:
        """The open intervals between two instants, clipped to them, in the office zone."""
        zone = self.zone()
        intervals = self._utc_intervals(_require_aware(start, "start"), _require_aware(end, "end"))
        return ((lo.astimezone(zone), hi.astimezone(zone)) for lo, hi in intervals)

    def next_opening(self, instant: datetime) -> datetime:
        """The first open instant at or after ``instant`` (``instant`` itself if open now).

        Closing time is not open: at 18:00 sharp the next opening is the next working day.
        """
        start = _require_aware(instant, "instant")
        opening, _ = next(self._intervals_from(start))
        return opening.astimezone(self.zone())

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The earliest instant at which ``amount`` of working time has elapsed since ``start``.

        Counting starts at the next opening if the office is closed at ``start``. "Earliest"
        means that an amount used up exactly at closing returns that closing time, not the
        next opening. A zero amount returns the instant ``start`` (in the office zone), even when
        the office is closed.
        """
        begin = _require_aware(start, "start")
        if amount < _ZERO:
            raise ValueError(f"amount must not be negative, got {amount}")
        return self._add_utc(begin, amount).astimezone(self.zone())

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """``add_working_time`` with the amount in (possibly fractional) hours."""
        return self.add_working_time(start, timedelta(hours=hours))

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """The working time in ``[start, end]``; zero if ``end`` is not after ``start``."""
        intervals = self._utc_intervals(_require_aware(start, "start"), _require_aware(end, "end"))
        return sum((hi - lo for lo, hi in intervals), _ZERO)

    def _add_utc(self, begin: datetime, amount: timedelta) -> datetime:
        if amount == _ZERO:
            return begin
        remaining = amount
        for lo, hi in self._intervals_from(begin):
            if remaining <= hi - lo:
                return lo + remaining
            remaining -= hi - lo
        raise AssertionError("unreachable: _intervals_from never ends")  # pragma: no cover

    def _utc_hours(self, day: date) -> Interval | None:
        """Opening and closing of ``day`` as UTC instants, None if closed."""
        if not self.is_working_day(day):
            return None
        zone = self.zone()
        try:
            lo = datetime.combine(day, self.opens, zone).astimezone(UTC)
            hi = datetime.combine(day, self.closes, zone).astimezone(UTC)
        except OverflowError:
            raise OutOfCalendarRangeError(f"{day} is outside the calendar's range") from None
        return (lo, hi) if lo < hi else None

    def _local_day(self, instant: datetime) -> date:
        return instant.astimezone(self.zone()).date()

    def _intervals_from(self, begin: datetime) -> Iterator[Interval]:
        """Endless open UTC intervals from ``begin`` on, the first clipped to start there.

        Raises NoWorkingTimeError after ``MAX_CLOSED_DAYS`` closed days in a row, so a
        calendar that never opens fails instead of looping forever.
        """
        day = self._local_day(begin)
        closed_run = 0
        while True:
            hours = self._utc_hours(day)
            if hours is not None and hours[1] > begin:
                closed_run = 0
                yield max(hours[0], begin), hours[1]
            else:
                closed_run += 1
                if closed_run > MAX_CLOSED_DAYS:
                    raise NoWorkingTimeError(
                        f"calendar ({self.timezone}) has no opening hours from "
                        f"{day - closed_run * _ONE_DAY + _ONE_DAY} to {day}"
                    )
            day = _next_day(day)

    def _utc_intervals(self, lo_bound: datetime, hi_bound: datetime) -> Iterator[Interval]:
        """Open UTC intervals between two UTC instants, clipped to them."""
        day, last = self._local_day(lo_bound), self._local_day(hi_bound)
        while day <= last:
            hours = self._utc_hours(day)
            if hours is not None:
                lo, hi = max(hours[0], lo_bound), min(hours[1], hi_bound)
                if lo < hi:
                    yield lo, hi
            day = _next_day(day)
