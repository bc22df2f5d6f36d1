"""China's public holidays and make-up working days (调休), from a maintained package.

The State Council publishes each year's schedule in November; the ``chinesecalendar``
package (PyPI, LKI/chinese-calendar) ships it as dates: the days off and the weekend days
worked in exchange. A year the installed package does not know yet is not guessed: the
calendar records the last day the source covers (``holidays_known_through``) and a plan
touching a later day carries a warning (``dispatch.services.calendar_warnings``), so
2027 is right as soon as a package release knows it (``pip install -U chinesecalendar``
and ``dispatch seed`` again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib.metadata import version

import chinese_calendar

SOURCE = "chinesecalendar"
FIRST_YEAR = 2020
"""Older schedules are of no use to a dispatcher (replays look back weeks, not years)."""


@dataclass(frozen=True, slots=True)
class HolidaySchedule:
    """Days off, make-up working days, and the last day the source covers."""

    holidays: frozenset[date]
    makeup_days: frozenset[date]
    known_through: date
    source: str


def china_schedule(first_year: int = FIRST_YEAR) -> HolidaySchedule:
    """Every holiday and make-up day the installed package knows, from ``first_year``."""
    days_off = {day for day in chinese_calendar.holidays if day.year >= first_year}
    worked = {day for day in chinese_calendar.workdays if day.year >= first_year}
    last_year = max(day.year for day in chinese_calendar.holidays)
    return HolidaySchedule(
        holidays=frozenset(days_off),
        makeup_days=frozenset(worked),
        known_through=date(last_year, 12, 31),
        source=f"{SOURCE} {version(SOURCE)}",
    )
