"""Warnings a plan carries about the calendars it was planned on.

A day after the last one an office's holiday source covers is planned by the weekday
rule (Monday to Friday), which may be wrong: the warning says so instead of treating it
silently as an ordinary working day (``dispatch.holiday_source``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from dispatch.domain import Office
from dispatch.services.problem_builder import working_days


def holiday_warnings(day: date, offices: Iterable[Office]) -> list[str]:
    """One line per uncovered day of the plan (its day and next working day), naming offices."""
    uncovered: defaultdict[tuple[date, date, bool], list[str]] = defaultdict(list)
    for office in offices:
        calendar = office.calendar
        if calendar.holidays_known_through is None:
            continue
        for planned in sorted({day, *working_days(calendar, day)}):
            if not calendar.holidays_known(planned):
                key = (planned, calendar.holidays_known_through, calendar.is_working_day(planned))
                uncovered[key].append(office.code)
    return [
        f"{planned.isoformat()} is after {known.isoformat()}, the last day the holiday source "
        f"covers: public holidays and make-up days are unknown, the day is planned as a "
        f"{'working day' if working else 'day off'} by the weekday rule "
        f"(offices {', '.join(sorted(codes))})"
        for (planned, known, working), codes in sorted(uncovered.items())
    ]
