"""Where a plan's pieces sit on the board's timeline, computed once on the server.

The timeline shows two working days side by side, each from ``DAY_FROM`` to ``DAY_TO``
on the engineer's own wall clock (so rows of offices in different zones line up by
local time, as a dispatcher reads them). Every bar is a ``Bar`` with its left edge and
width in percent of the row; the page draws them with CSS alone, so a 300-engineer day
needs no script to lay out and nothing to recompute while scrolling.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dispatch.services.plan_document import RouteDocument, Stop

DAY_FROM = 6
DAY_TO = 22
HOURS_SHOWN = DAY_TO - DAY_FROM


@dataclass(frozen=True, slots=True)
class Bar:
    kind: str
    """travel, work, late, overtime, lunch, night or deadline (a marker, width 0)."""
    left: float
    width: float
    label: str = ""
    ticket_id: int | None = None


@dataclass(frozen=True, slots=True)
class Row:
    route: RouteDocument
    bars: tuple[Bar, ...]


def _position(instant: datetime, days: tuple[date, date], zone: ZoneInfo) -> float | None:
    """Percent of the row for ``instant``, or None when it falls outside both days."""
    local = instant.astimezone(zone)
    if local.date() not in days:
        return None
    band = days.index(local.date())
    hours = local.hour + local.minute / 60.0 - DAY_FROM
    hours = min(max(hours, 0.0), float(HOURS_SHOWN))
    return round(50.0 * band + 50.0 * hours / HOURS_SHOWN, 3)


def _span(
    kind: str,
    start: datetime,
    end: datetime,
    route: RouteDocument,
    label: str = "",
    ticket_id: int | None = None,
) -> Bar | None:
    zone = ZoneInfo(route.timezone)
    left = _position(start, route.days, zone)
    right = _position(end, route.days, zone)
    if left is None:
        if right is None:
            return None
        left = 50.0 if right >= 50.0 else 0.0
    if right is None:
        right = 50.0 if left < 50.0 else 100.0
    return Bar(kind, left, round(max(right - left, 0.0), 3), label, ticket_id)


def _at(day: date, clock: time, route: RouteDocument) -> datetime:
    return datetime.combine(day, clock, ZoneInfo(route.timezone))


def _day_bars(route: RouteDocument, day: date) -> list[Bar | None]:
    """The night before and after the shift, and lunch, of one day."""
    morning = _at(day, time(DAY_FROM), route)
    evening = _at(day, time(DAY_TO - 1, 59), route)
    lunch = _at(day, route.lunch_start, route)
    return [
        _span("night", morning, _at(day, route.shift_start, route), route, "off shift"),
        _span("night", _at(day, route.shift_end, route), evening, route, "off shift"),
        _span("lunch", lunch, lunch + timedelta(minutes=route.lunch_minutes), route, "lunch"),
    ]


def _label(stop: Stop) -> str:
    """What hovering a visit shows: the ticket in the dispatcher's words."""
    late = f", {stop.minutes_late} min late" if stop.minutes_late else ""
    return (
        f"#{stop.ticket_id} {stop.customer}: {stop.fault} ({stop.product_line}), "
        f"rule {stop.deadline_rule}, called {stop.called_at:%m-%d %H:%M}, "
        f"deadline {stop.deadline:%m-%d %H:%M}, ETA {stop.arrival:%m-%d %H:%M}{late}"
    )


def _stop_bars(route: RouteDocument, stop: Stop) -> list[Bar | None]:
    label = _label(stop)
    travel_start = stop.arrival - timedelta(minutes=stop.travel_minutes)
    shift_end = _at(
        stop.arrival.astimezone(ZoneInfo(route.timezone)).date(), route.shift_end, route
    )
    kind = "late" if stop.minutes_late else "work"
    bars = [
        _span("travel", travel_start, stop.arrival, route, label, stop.ticket_id),
        _span(kind, stop.arrival, stop.departure, route, label, stop.ticket_id),
        _span("deadline", stop.deadline, stop.deadline, route, label, stop.ticket_id),
    ]
    if stop.departure > shift_end:
        start = max(stop.arrival, shift_end)
        bars.append(_span("overtime", start, stop.departure, route, label, stop.ticket_id))
    return bars


def timeline_row(route: RouteDocument) -> Row:
    """One engineer's row: nights, lunches, then travel, work and deadline per stop."""
    bars: list[Bar | None] = []
    for day in route.days:
        bars.extend(_day_bars(route, day))
    for stop in route.stops:
        bars.extend(_stop_bars(route, stop))
    return Row(route, tuple(bar for bar in bars if bar is not None))


def hour_ticks() -> list[tuple[float, str]]:
    """The timeline's header: every second hour of both days, as (percent, label)."""
    return [
        (round(50.0 * band + 50.0 * (hour - DAY_FROM) / HOURS_SHOWN, 3), f"{hour:02d}")
        for band in (0, 1)
        for hour in range(DAY_FROM, DAY_TO, 2)
    ]
