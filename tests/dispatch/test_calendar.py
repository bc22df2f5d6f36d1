"""Working-time arithmetic of the business calendar (the 6 h / 7 h rule, SPEC §3)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.calendar import MAX_CLOSED_DAYS, BusinessCalendar, NoWorkingTimeError

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
URUMQI = ZoneInfo("Asia/Urumqi")

CAL = BusinessCalendar()  # Asia/Shanghai, 09:00-18:00, Monday-Friday

# November 2026: Mon 16, Tue 17, Wed 18, Thu 19, Fri 20, Sat 21, Sun 22, Mon 23.
WEDNESDAY = date(2026, 11, 18)
THURSDAY = date(2026, 11, 19)
FRIDAY = date(2026, 11, 20)
SATURDAY = date(2026, 11, 21)
SUNDAY = date(2026, 11, 22)


def sh(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Shanghai."""
    return datetime.combine(day, time(hour, minute), SHANGHAI)


def utc(instant: datetime) -> datetime:
    """Compare in UTC: Python compares same-zone datetimes on their wall clocks."""
    return instant.astimezone(UTC)


# --- validation --------------------------------------------------------------------------


def test_naive_datetimes_are_rejected_with_a_clear_message() -> None:
    naive = datetime(2026, 11, 20, 17, 30)
    with pytest.raises(ValueError, match="start must be a timezone-aware datetime"):
        CAL.add_working_time(naive, timedelta(hours=1))
    with pytest.raises(ValueError, match="instant must be a timezone-aware"):
        CAL.next_opening(naive)
    with pytest.raises(ValueError, match="end must be a timezone-aware"):
        CAL.working_time_between(sh(FRIDAY, 9), naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.working_intervals(naive, sh(FRIDAY, 9))


def test_negative_amount_is_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_time(sh(FRIDAY, 10), timedelta(seconds=-1))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timezone": "Mars/Olympus_Mons"},
        {"timezone": ""},
        {"opens": time(18, 0), "closes": time(9, 0)},
        {"opens": time(9, 0), "closes": time(9, 0)},
        {"working_days": frozenset({0, 7})},
        {"holidays": frozenset({SATURDAY}), "extra_working_days": frozenset({SATURDAY})},
        {"opens": time(9, 0, tzinfo=UTC)},
    ],
)
def test_invalid_calendars_are_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        BusinessCalendar(**kwargs)  # type: ignore[arg-type]


def test_zone_is_the_configured_iana_zone() -> None:
    assert BusinessCalendar(timezone="Asia/Urumqi").zone() == URUMQI


# --- which days are open -----------------------------------------------------------------


def test_working_days_holidays_and_make_up_days() -> None:
    cal = BusinessCalendar(holidays=frozenset({THURSDAY}), extra_working_days=frozenset({SATURDAY}))
    assert cal.is_working_day(WEDNESDAY)
    assert not cal.is_working_day(THURSDAY)
    assert cal.is_working_day(SATURDAY)
    assert not cal.is_working_day(SUNDAY)


def test_opening_hours_are_aware_instants_in_the_office_zone() -> None:
    opening, closing = CAL.opening_hours(FRIDAY) or pytest.fail("Friday is a working day")
    assert (opening, closing) == (sh(FRIDAY, 9), sh(FRIDAY, 18))
    assert opening.tzinfo == SHANGHAI and closing.tzinfo == SHANGHAI
    assert CAL.opening_hours(SATURDAY) is None


# --- the acceptance examples and the everyday cases --------------------------------------


def test_acceptance_friday_evening_call_urban_and_suburban() -> None:
    call = sh(FRIDAY, 17, 30)
    assert CAL.add_working_hours(call, 6) == sh(date(2026, 11, 23), 14, 30)
    assert CAL.add_working_hours(call, 7) == sh(date(2026, 11, 23), 15, 30)


def test_midday_call_ends_at_closing_not_next_morning() -> None:
    assert CAL.add_working_hours(sh(WEDNESDAY, 12), 6) == sh(WEDNESDAY, 18)


def test_late_afternoon_call_leaves_one_hour_today() -> None:
    call = sh(WEDNESDAY, 17)
    assert CAL.add_working_hours(call, 1) == sh(WEDNESDAY, 18)
    assert CAL.add_working_hours(call, 6) == sh(THURSDAY, 14)


def test_night_call_starts_counting_at_opening() -> None:
    assert CAL.add_working_hours(sh(WEDNESDAY, 2), 6) == sh(WEDNESDAY, 15)
    assert CAL.next_opening(sh(WEDNESDAY, 2)) == sh(WEDNESDAY, 9)


def test_saturday_call_starts_counting_on_monday() -> None:
    monday = date(2026, 11, 23)
    assert CAL.next_opening(sh(SATURDAY, 10)) == sh(monday, 9)
    assert CAL.add_working_hours(sh(SATURDAY, 10), 6) == sh(monday, 15)


def test_holiday_eve_call_skips_the_holiday() -> None:
    cal = BusinessCalendar(holidays=frozenset({THURSDAY}))
    assert cal.add_working_hours(sh(WEDNESDAY, 17), 6) == sh(FRIDAY, 14)
    assert cal.working_time_between(sh(WEDNESDAY, 17), sh(FRIDAY, 14)) == timedelta(hours=6)


def test_extra_working_saturday_counts() -> None:
    cal = BusinessCalendar(extra_working_days=frozenset({SATURDAY}))
    assert cal.add_working_hours(sh(FRIDAY, 17, 30), 6) == sh(SATURDAY, 14, 30)


def test_call_exactly_at_opening() -> None:
    assert CAL.next_opening(sh(WEDNESDAY, 9)) == sh(WEDNESDAY, 9)
    assert CAL.add_working_hours(sh(WEDNESDAY, 9), 6) == sh(WEDNESDAY, 15)


def test_call_exactly_at_closing_counts_from_next_morning() -> None:
    assert CAL.next_opening(sh(WEDNESDAY, 18)) == sh(THURSDAY, 9)
    assert CAL.add_working_hours(sh(WEDNESDAY, 18), 6) == sh(THURSDAY, 15)


def test_amount_used_up_at_closing_returns_closing() -> None:
    monday = date(2026, 11, 16)
    assert CAL.add_working_hours(sh(monday, 9), 9) == sh(monday, 18)
    assert CAL.add_working_hours(sh(monday, 9), 45) == sh(FRIDAY, 18)


def test_zero_amount_returns_start_even_when_closed() -> None:
    start = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)  # Saturday
    result = CAL.add_working_time(start, timedelta(0))
    assert result == start
    assert result.tzinfo == SHANGHAI


def test_results_are_in_the_office_zone_whatever_the_input_zone() -> None:
    call = sh(FRIDAY, 17, 30).astimezone(UTC)
    result = CAL.add_working_hours(call, 6)
    assert result.tzinfo == SHANGHAI
    assert result == sh(date(2026, 11, 23), 14, 30)
    assert CAL.next_opening(call).tzinfo == SHANGHAI


def test_fractional_hours() -> None:
    assert CAL.add_working_hours(sh(WEDNESDAY, 9), 1.25) == sh(WEDNESDAY, 10, 15)


# --- working time between two instants ---------------------------------------------------


def test_working_time_between_across_a_weekend() -> None:
    assert CAL.working_time_between(sh(FRIDAY, 17, 30), sh(date(2026, 11, 23), 14, 30)) == (
        timedelta(hours=6)
    )


def test_working_time_between_is_zero_when_end_not_after_start() -> None:
    assert CAL.working_time_between(sh(FRIDAY, 12), sh(FRIDAY, 12)) == timedelta(0)
    assert CAL.working_time_between(sh(FRIDAY, 12), sh(WEDNESDAY, 12)) == timedelta(0)


def test_working_time_between_inside_one_closed_stretch_is_zero() -> None:
    assert CAL.working_time_between(sh(FRIDAY, 18), sh(date(2026, 11, 23), 9)) == timedelta(0)


def test_working_intervals_are_clipped_to_the_bounds() -> None:
    intervals = list(CAL.working_intervals(sh(FRIDAY, 17, 30), sh(date(2026, 11, 23), 14, 30)))
    assert intervals == [
        (sh(FRIDAY, 17, 30), sh(FRIDAY, 18)),
        (sh(date(2026, 11, 23), 9), sh(date(2026, 11, 23), 14, 30)),
    ]
    assert all(lo.tzinfo == SHANGHAI and hi.tzinfo == SHANGHAI for lo, hi in intervals)


# --- a calendar that never opens ---------------------------------------------------------


def test_calendar_without_any_working_day_raises_instead_of_looping() -> None:
    closed = BusinessCalendar(working_days=frozenset())
    with pytest.raises(NoWorkingTimeError):
        closed.next_opening(sh(FRIDAY, 10))
    with pytest.raises(NoWorkingTimeError):
        closed.add_working_hours(sh(FRIDAY, 10), 6)
    assert closed.working_time_between(sh(FRIDAY, 10), sh(FRIDAY, 10) + timedelta(days=9)) == (
        timedelta(0)
    )


def test_no_working_time_error_is_a_value_error() -> None:
    assert issubclass(NoWorkingTimeError, ValueError)


def test_search_finds_a_distant_make_up_day_but_not_one_beyond_the_horizon() -> None:
    near = FRIDAY + timedelta(days=MAX_CLOSED_DAYS - 10)
    far = FRIDAY + timedelta(days=MAX_CLOSED_DAYS + 10)
    reachable = BusinessCalendar(working_days=frozenset(), extra_working_days=frozenset({near}))
    assert reachable.next_opening(sh(FRIDAY, 10)) == sh(near, 9)
    unreachable = BusinessCalendar(working_days=frozenset(), extra_working_days=frozenset({far}))
    with pytest.raises(NoWorkingTimeError):
        unreachable.next_opening(sh(FRIDAY, 10))


# --- time zones and daylight saving ------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "call_utc", "deadline_utc"),
    [
        # Asia/Urumqi is UTC+6: Friday 17:30 local -> Monday 14:30 local.
        ("Asia/Urumqi", datetime(2026, 11, 20, 11, 30), datetime(2026, 11, 23, 8, 30)),
        # America/New_York in November is UTC-5.
        ("America/New_York", datetime(2026, 11, 20, 22, 30), datetime(2026, 11, 23, 19, 30)),
        ("Asia/Shanghai", datetime(2026, 11, 20, 9, 30), datetime(2026, 11, 23, 6, 30)),
    ],
)
def test_same_wall_clock_rule_in_other_zones(
    zone: str, call_utc: datetime, deadline_utc: datetime
) -> None:
    cal = BusinessCalendar(timezone=zone)
    call = call_utc.replace(tzinfo=UTC)
    result = cal.add_working_hours(call, 6)
    assert utc(result) == deadline_utc.replace(tzinfo=UTC)
    assert result.tzinfo == ZoneInfo(zone)
    assert (result.hour, result.minute) == (14, 30)


@pytest.mark.parametrize(
    ("call", "deadline_utc"),
    [
        # Spring forward on Sunday 2026-03-29: Friday is CET (+1), Monday is CEST (+2).
        (datetime(2026, 3, 27, 17, 0, tzinfo=BERLIN), datetime(2026, 3, 30, 12, 0, tzinfo=UTC)),
        # Fall back on Sunday 2026-10-25: Friday is CEST (+2), Monday is CET (+1).
        (datetime(2026, 10, 23, 17, 0, tzinfo=BERLIN), datetime(2026, 10, 26, 13, 0, tzinfo=UTC)),
    ],
)
def test_berlin_friday_call_across_a_dst_change(call: datetime, deadline_utc: datetime) -> None:
    cal = BusinessCalendar(timezone="Europe/Berlin")
    result = cal.add_working_hours(call, 6)
    assert utc(result) == deadline_utc
    assert (result.hour, result.minute) == (14, 0)
    assert cal.working_time_between(call, result) == timedelta(hours=6)


@pytest.mark.parametrize(("day", "offset_hours"), [(date(2026, 3, 30), 2), (date(2026, 10, 26), 1)])
def test_berlin_opens_at_nine_local_after_a_dst_change(day: date, offset_hours: int) -> None:
    cal = BusinessCalendar(timezone="Europe/Berlin")
    opening, closing = cal.opening_hours(day) or pytest.fail("Monday is a working day")
    assert (opening.hour, closing.hour) == (9, 18)
    assert opening.utcoffset() == timedelta(hours=offset_hours)
    assert utc(closing) - utc(opening) == timedelta(hours=9)


def test_new_york_call_across_the_november_change() -> None:
    cal = BusinessCalendar(timezone="America/New_York")
    call = datetime(2026, 10, 30, 17, 0, tzinfo=NEW_YORK)  # Friday, EDT
    result = cal.add_working_hours(call, 6)
    assert utc(result) == datetime(2026, 11, 2, 19, 0, tzinfo=UTC)  # Monday 14:00 EST


# A Berlin office open on Sundays 00:00-06:00: the transition falls inside opening hours.
NIGHT = BusinessCalendar(
    timezone="Europe/Berlin", opens=time(0, 0), closes=time(6, 0), working_days=frozenset({6})
)


def test_working_day_containing_spring_forward_is_one_hour_short() -> None:
    day = date(2026, 3, 29)
    opening, closing = NIGHT.opening_hours(day) or pytest.fail("Sunday is open")
    assert NIGHT.working_time_between(opening, closing) == timedelta(hours=5)
    result = NIGHT.add_working_hours(opening, 3)
    assert utc(result) == datetime(2026, 3, 29, 2, 0, tzinfo=UTC)
    assert (result.hour, result.utcoffset()) == (4, timedelta(hours=2))


def test_start_in_the_office_zone_counts_elapsed_time_across_the_gap() -> None:
    start = datetime(2026, 3, 29, 1, 0, tzinfo=BERLIN)  # 00:00 UTC, one hour before the gap
    result = NIGHT.add_working_hours(start, 2)
    assert utc(result) == datetime(2026, 3, 29, 2, 0, tzinfo=UTC)
    assert result.hour == 4


def test_working_day_containing_fall_back_is_one_hour_long() -> None:
    day = date(2026, 10, 25)
    opening, closing = NIGHT.opening_hours(day) or pytest.fail("Sunday is open")
    assert NIGHT.working_time_between(opening, closing) == timedelta(hours=7)
    first_two = NIGHT.add_working_hours(opening, 2)
    second_two = NIGHT.add_working_hours(opening, 3)
    assert (first_two.hour, first_two.fold) == (2, 0)
    assert (second_two.hour, second_two.fold) == (2, 1)
    assert utc(second_two) - utc(first_two) == timedelta(hours=1)
    assert NIGHT.working_time_between(opening, second_two) == timedelta(hours=3)


def test_hours_that_collapse_in_a_dst_gap_close_the_day() -> None:
    # 02:30 does not exist on 2026-03-29; read as 03:30 CEST it is after 03:15 CEST.
    cal = BusinessCalendar(
        timezone="Europe/Berlin", opens=time(2, 30), closes=time(3, 15), working_days=frozenset({6})
    )
    assert cal.opening_hours(date(2026, 3, 29)) is None
    assert cal.opening_hours(date(2026, 4, 5)) is not None


# --- properties over random calendars ----------------------------------------------------

ZONES = [
    "UTC",
    "Asia/Shanghai",
    "Asia/Urumqi",
    "Asia/Kathmandu",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "America/Santiago",
]
FIXED_OFFSET_ZONES = ["UTC", "Asia/Shanghai", "Asia/Urumqi", "Asia/Kathmandu"]
PROPERTY = settings(max_examples=200, deadline=None)

days = st.dates(min_value=date(2025, 6, 1), max_value=date(2028, 6, 30))
instants = st.datetimes(
    min_value=datetime(2026, 1, 1),
    max_value=datetime(2027, 12, 31),
    timezones=st.sampled_from([ZoneInfo(z) for z in ZONES]),
)
amounts = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=12))


@st.composite
def calendars(draw: st.DrawFn, zones: list[str] = ZONES) -> BusinessCalendar:
    """Random calendars open at least an hour a day, on at least one weekday."""
    opens = draw(st.times(max_value=time(22, 0)))
    earliest_close = (datetime.combine(date.min, opens) + timedelta(hours=1)).time()
    holidays = draw(st.frozensets(days, max_size=30))
    return BusinessCalendar(
        timezone=draw(st.sampled_from(zones)),
        opens=opens,
        closes=draw(st.times(min_value=earliest_close)),
        working_days=draw(st.frozensets(st.integers(0, 6), min_size=1)),
        holidays=holidays,
        extra_working_days=draw(st.frozensets(days, max_size=10)) - holidays,
    )


def assert_inside_opening_hours(cal: BusinessCalendar, instant: datetime) -> None:
    """``instant`` lies in (opens, closes] of a working day."""
    day = instant.astimezone(cal.zone()).date()
    assert cal.is_working_day(day)
    hours = cal.opening_hours(day)
    assert hours is not None
    assert utc(hours[0]) < utc(instant) <= utc(hours[1])


@PROPERTY
@given(calendars(), instants, amounts)
def test_between_inverts_add(cal: BusinessCalendar, start: datetime, amount: timedelta) -> None:
    assert cal.working_time_between(start, cal.add_working_time(start, amount)) == amount


@PROPERTY
@given(calendars(), instants, amounts, amounts)
def test_add_is_monotone_in_the_amount(
    cal: BusinessCalendar, start: datetime, a: timedelta, b: timedelta
) -> None:
    small, large = sorted((a, b))
    assert utc(cal.add_working_time(start, small)) <= utc(cal.add_working_time(start, large))


@PROPERTY
@given(calendars(), instants, amounts)
def test_result_is_never_before_start_and_is_the_earliest(
    cal: BusinessCalendar, start: datetime, amount: timedelta
) -> None:
    result = cal.add_working_time(start, amount)
    assert utc(result) >= utc(start)
    assert result.tzinfo == cal.zone()
    if amount > timedelta(0):
        just_before = utc(result) - timedelta(microseconds=1)
        assert cal.working_time_between(start, just_before) < amount


@PROPERTY
@given(calendars(), instants, amounts.filter(lambda amount: amount > timedelta(0)))
def test_positive_result_lies_inside_opening_hours(
    cal: BusinessCalendar, start: datetime, amount: timedelta
) -> None:
    assert_inside_opening_hours(cal, cal.add_working_time(start, amount))


@PROPERTY
@given(
    calendars(FIXED_OFFSET_ZONES), instants, amounts.filter(lambda amount: amount > timedelta(0))
)
def test_positive_result_lies_inside_local_wall_clock_hours(
    cal: BusinessCalendar, start: datetime, amount: timedelta
) -> None:
    local = cal.add_working_time(start, amount)
    assert cal.is_working_day(local.date())
    assert cal.opens < local.time() <= cal.closes


@PROPERTY
@given(calendars(), instants, instants, instants)
def test_between_is_additive(cal: BusinessCalendar, a: datetime, b: datetime, c: datetime) -> None:
    first, middle, last = sorted((a, b, c), key=utc)
    whole = cal.working_time_between(first, last)
    assert whole == cal.working_time_between(first, middle) + cal.working_time_between(middle, last)


@PROPERTY
@given(calendars(), instants, instants)
def test_intervals_are_ordered_disjoint_open_and_sum_to_between(
    cal: BusinessCalendar, a: datetime, b: datetime
) -> None:
    start, end = sorted((a, b), key=utc)
    intervals = [(utc(lo), utc(hi)) for lo, hi in cal.working_intervals(start, end)]
    assert all(utc(start) <= lo < hi <= utc(end) for lo, hi in intervals)
    assert all(prev[1] <= nxt[0] for prev, nxt in pairwise(intervals))
    assert sum((hi - lo for lo, hi in intervals), timedelta(0)) == cal.working_time_between(
        start, end
    )


@PROPERTY
@given(calendars(), instants, amounts.filter(lambda amount: amount > timedelta(0)))
def test_counting_starts_at_the_next_opening(
    cal: BusinessCalendar, start: datetime, amount: timedelta
) -> None:
    opening = cal.next_opening(start)
    assert utc(opening) >= utc(start)
    assert cal.working_time_between(start, opening) == timedelta(0)
    assert cal.working_time_between(opening, utc(opening) + timedelta(microseconds=1)) > timedelta(
        0
    )
    assert utc(cal.add_working_time(opening, amount)) == utc(cal.add_working_time(start, amount))


@PROPERTY
@given(calendars(), instants)
def test_zero_amount_is_the_identity(cal: BusinessCalendar, start: datetime) -> None:
    assert utc(cal.add_working_time(start, timedelta(0))) == utc(start)
