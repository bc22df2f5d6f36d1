"""Extreme and implausible times: typed refusals, never an OverflowError (issue 9)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from dispatch.calendar import BusinessCalendar, OutOfCalendarRangeError
from dispatch.domain import ServiceArea
from dispatch.errors import InvalidInputError
from dispatch.service_area import arrival_deadline
from dispatch.times import CLOCK_SKEW, check_day, check_instant, check_reported

PLUS_14 = timezone(timedelta(hours=14))
EXTREMES = [
    datetime(9999, 12, 31, 23, 59, 59, tzinfo=PLUS_14),
    datetime(1, 1, 1, 0, 0, tzinfo=PLUS_14),
    datetime.max.replace(tzinfo=UTC),
    datetime.min.replace(tzinfo=UTC),
]


@pytest.mark.parametrize("instant", EXTREMES)
def test_the_calendar_refuses_instants_at_the_ends_of_time(instant: datetime) -> None:
    calendar = BusinessCalendar()
    with pytest.raises(OutOfCalendarRangeError):
        calendar.add_working_hours(instant, 6)
    with pytest.raises(OutOfCalendarRangeError):
        calendar.next_opening(instant)
    with pytest.raises(OutOfCalendarRangeError):
        calendar.working_time_between(instant, instant)


def test_a_day_at_the_end_of_the_calendar_is_refused_not_overflowed() -> None:
    with pytest.raises(OutOfCalendarRangeError):
        BusinessCalendar(timezone="Pacific/Pago_Pago").opening_hours(date.max)  # a Friday
    with pytest.raises(OutOfCalendarRangeError):
        BusinessCalendar(timezone="Asia/Tokyo").opening_hours(date.min)  # a Monday
    near_end = datetime(9989, 12, 31, 23, 0, tzinfo=UTC)
    closed = BusinessCalendar(working_days=frozenset())
    with pytest.raises(InvalidInputError):
        closed.add_working_hours(near_end, 1)


@pytest.mark.parametrize("instant", EXTREMES[:2])
def test_a_deadline_for_an_extreme_call_is_a_typed_refusal(instant: datetime) -> None:
    with pytest.raises(InvalidInputError):
        arrival_deadline(
            BusinessCalendar(), instant, ServiceArea.URBAN, emergency=True, remote_failed=False
        )


@pytest.mark.parametrize("instant", [*EXTREMES, datetime(1999, 12, 31, 23, 59, tzinfo=UTC)])
def test_call_times_are_accepted_from_2000_to_2099(instant: datetime) -> None:
    with pytest.raises(InvalidInputError) as refused:
        check_instant(instant, "called_at")
    assert refused.value.field == "called_at"
    assert check_instant(datetime(2099, 12, 31, 23, 59, tzinfo=UTC), "called_at")
    assert check_day(date(2000, 1, 1)) == date(2000, 1, 1)
    with pytest.raises(InvalidInputError):
        check_day(date(9999, 12, 31))


def test_a_reported_time_is_after_the_call_after_the_last_report_and_not_ahead() -> None:
    call = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    now = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    left = call + timedelta(hours=1)
    assert check_reported(left, called_at=call, previous=None, now=now) == left
    assert check_reported(now + CLOCK_SKEW, called_at=call, previous=left, now=now)
    for implausible, previous in [
        (call, None),
        (left - timedelta(minutes=1), left),
        (now + CLOCK_SKEW + timedelta(seconds=1), None),
    ]:
        with pytest.raises(InvalidInputError):
            check_reported(implausible, called_at=call, previous=previous, now=now)
