"""Service area classification and arrival deadlines (SPEC §3, §5)."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from geopy.distance import geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.calendar import BusinessCalendar
from dispatch.domain import DeadlineRule, GeoPoint, Office, ServiceArea, TicketDraft
from dispatch.service_area import (
    ARRIVAL_TARGET,
    SUBURBAN_WORKING_HOURS,
    URBAN_WORKING_HOURS,
    Deadline,
    arrival_deadline,
    classify_site,
    distance_km,
    register,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
CAL = BusinessCalendar()  # Asia/Shanghai, 09:00-18:00, Monday-Friday
CENTRE = GeoPoint(31.2304, 121.4737)
OFFICE = Office(
    code="SH",
    name="上海办事处",
    city="Shanghai",
    region="East",
    location=CENTRE,
    calendar=CAL,
)

FRIDAY_EVENING = datetime(2026, 11, 20, 17, 30, tzinfo=SHANGHAI)
MONDAY = date(2026, 11, 23)


def sh(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI)


def point_at(origin: GeoPoint, km: float, bearing: float) -> GeoPoint:
    """The point ``km`` away from ``origin`` on ``bearing``, by geopy's direct geodesic."""
    dest = geodesic(kilometers=km).destination((origin.latitude, origin.longitude), bearing)
    return GeoPoint(dest.latitude, dest.longitude)


def deadline(
    called_at: datetime,
    area: ServiceArea,
    *,
    emergency: bool = False,
    remote_failed: bool = False,
    calendar: BusinessCalendar = CAL,
) -> Deadline:
    return arrival_deadline(
        calendar, called_at, area, emergency=emergency, remote_failed=remote_failed
    )


def draft(**changes: object) -> TicketDraft:
    base = TicketDraft(
        office_code="SH",
        customer="某医院",
        site=point_at(CENTRE, 5, 90),
        called_at=FRIDAY_EVENING,
        product_line="UPS",
        fault="no output",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# --- the rule constants ------------------------------------------------------------------


def test_rule_constants_match_the_regulations() -> None:
    assert (URBAN_WORKING_HOURS, SUBURBAN_WORKING_HOURS) == (6, 7)
    assert timedelta(hours=36) == ARRIVAL_TARGET


# --- distance and classification ---------------------------------------------------------


def test_distance_of_one_degree_of_longitude_on_the_equator() -> None:
    assert distance_km(GeoPoint(0, 0), GeoPoint(0, 1)) == pytest.approx(111.319, abs=0.001)


def test_distance_is_symmetric_and_zero_to_itself() -> None:
    other = GeoPoint(39.9042, 116.4074)  # Beijing
    assert distance_km(CENTRE, CENTRE) == 0.0
    assert distance_km(CENTRE, other) == pytest.approx(distance_km(other, CENTRE))
    assert 1000 < distance_km(CENTRE, other) < 1100


@pytest.mark.parametrize("bearing", range(0, 360, 45))
def test_exactly_on_the_urban_radius_is_urban(bearing: int) -> None:
    site = point_at(CENTRE, 15.0, bearing)
    assert distance_km(CENTRE, site) == pytest.approx(15.0, abs=1e-9)
    assert classify_site(OFFICE, site) is ServiceArea.URBAN


@pytest.mark.parametrize("bearing", range(0, 360, 45))
def test_exactly_on_the_suburban_radius_is_suburban(bearing: int) -> None:
    assert classify_site(OFFICE, point_at(CENTRE, 60.0, bearing)) is ServiceArea.SUBURBAN


@pytest.mark.parametrize(
    ("km", "area"),
    [
        (0.0, ServiceArea.URBAN),
        (14.99, ServiceArea.URBAN),
        (15.001, ServiceArea.SUBURBAN),
        (59.99, ServiceArea.SUBURBAN),
        (60.001, ServiceArea.REGIONAL),
        (1200.0, ServiceArea.REGIONAL),
    ],
)
def test_classification_by_distance(km: float, area: ServiceArea) -> None:
    assert classify_site(OFFICE, point_at(CENTRE, km, 30)) is area


def test_radius_equal_to_the_computed_distance_is_inclusive() -> None:
    site = point_at(CENTRE, 12.345, 200)
    km = distance_km(CENTRE, site)
    at_radius = replace(OFFICE, urban_radius_km=km)
    assert classify_site(at_radius, site) is ServiceArea.URBAN
    just_short = replace(OFFICE, urban_radius_km=km - 0.001)
    assert classify_site(just_short, site) is ServiceArea.SUBURBAN


def test_per_office_radii() -> None:
    small = replace(OFFICE, urban_radius_km=5.0, suburban_radius_km=20.0)
    assert classify_site(small, point_at(CENTRE, 10, 0)) is ServiceArea.SUBURBAN
    assert classify_site(small, point_at(CENTRE, 30, 0)) is ServiceArea.REGIONAL


@pytest.mark.parametrize("override", list(ServiceArea))
def test_override_wins_over_distance(override: ServiceArea) -> None:
    assert classify_site(OFFICE, point_at(CENTRE, 1, 0), override) is override
    assert classify_site(OFFICE, point_at(CENTRE, 500, 0), override) is override


# --- arrival deadlines -------------------------------------------------------------------


def test_acceptance_urban_friday_evening() -> None:
    assert deadline(FRIDAY_EVENING, ServiceArea.URBAN) == Deadline(
        sh(MONDAY, 14, 30), DeadlineRule.SIX_WORKING_HOURS
    )


def test_acceptance_suburban_friday_evening() -> None:
    assert deadline(FRIDAY_EVENING, ServiceArea.SUBURBAN) == Deadline(
        sh(MONDAY, 15, 30), DeadlineRule.SEVEN_WORKING_HOURS
    )


def test_acceptance_regional_friday_evening_is_wall_clock() -> None:
    assert deadline(FRIDAY_EVENING, ServiceArea.REGIONAL) == Deadline(
        sh(date(2026, 11, 22), 5, 30), DeadlineRule.THIRTY_SIX_HOURS
    )


def test_emergency_at_an_urban_site_over_a_weekend_takes_the_36_hours() -> None:
    result = deadline(FRIDAY_EVENING, ServiceArea.URBAN, emergency=True)
    assert result == Deadline(sh(date(2026, 11, 22), 5, 30), DeadlineRule.THIRTY_SIX_HOURS)


def test_emergency_on_a_weekday_morning_keeps_the_working_hours_rule() -> None:
    result = deadline(sh(MONDAY, 9), ServiceArea.URBAN, emergency=True)
    assert result == Deadline(sh(MONDAY, 15), DeadlineRule.SIX_WORKING_HOURS)


def test_remote_failure_at_a_suburban_site_over_a_weekend_takes_the_36_hours() -> None:
    result = deadline(FRIDAY_EVENING, ServiceArea.SUBURBAN, remote_failed=True)
    assert result == Deadline(sh(date(2026, 11, 22), 5, 30), DeadlineRule.THIRTY_SIX_HOURS)


def test_remote_failure_on_a_weekday_keeps_the_working_hours_rule() -> None:
    result = deadline(sh(MONDAY, 10), ServiceArea.SUBURBAN, remote_failed=True)
    assert result == Deadline(sh(MONDAY, 17), DeadlineRule.SEVEN_WORKING_HOURS)


def test_regional_ignores_business_hours() -> None:
    saturday_night = sh(date(2026, 11, 21), 23)
    result = deadline(saturday_night, ServiceArea.REGIONAL)
    assert result == Deadline(sh(MONDAY, 11), DeadlineRule.THIRTY_SIX_HOURS)


# Open 09:00-12:00: a call at Monday 00:00 reaches 6 working hours at Tuesday 12:00,
# exactly 36 wall-clock hours later.
MORNINGS = BusinessCalendar(opens=time(9, 0), closes=time(12, 0))
TIE_CALL = sh(date(2026, 11, 16), 0)
ONE_MICROSECOND = timedelta(microseconds=1)


def test_tie_names_the_working_hours_rule() -> None:
    result = deadline(TIE_CALL, ServiceArea.URBAN, emergency=True, calendar=MORNINGS)
    assert result == Deadline(sh(date(2026, 11, 17), 12), DeadlineRule.SIX_WORKING_HOURS)


def test_either_side_of_the_tie() -> None:
    later = deadline(
        TIE_CALL + ONE_MICROSECOND, ServiceArea.URBAN, emergency=True, calendar=MORNINGS
    )
    assert later.rule is DeadlineRule.SIX_WORKING_HOURS
    earlier = deadline(
        TIE_CALL - ONE_MICROSECOND, ServiceArea.URBAN, emergency=True, calendar=MORNINGS
    )
    assert earlier.rule is DeadlineRule.THIRTY_SIX_HOURS
    assert earlier.at == sh(date(2026, 11, 17), 12) - ONE_MICROSECOND


def test_deadline_is_in_the_office_zone_for_a_utc_call() -> None:
    result = deadline(FRIDAY_EVENING.astimezone(UTC), ServiceArea.REGIONAL)
    assert result.at.tzinfo == SHANGHAI
    assert (result.at.day, result.at.hour, result.at.minute) == (22, 5, 30)


@pytest.mark.parametrize(
    ("call", "expected_utc", "local_hour"),
    [
        # Spring forward: Friday 17:00 CET + 36 h = Sunday 06:00 CEST, not 05:00.
        (datetime(2026, 3, 27, 17, 0, tzinfo=BERLIN), datetime(2026, 3, 29, 4, 0, tzinfo=UTC), 6),
        # Fall back: Friday 17:00 CEST + 36 h = Sunday 04:00 CET, not 05:00.
        (
            datetime(2026, 10, 23, 17, 0, tzinfo=BERLIN),
            datetime(2026, 10, 25, 3, 0, tzinfo=UTC),
            4,
        ),
    ],
)
def test_36_hours_are_elapsed_hours_across_dst(
    call: datetime, expected_utc: datetime, local_hour: int
) -> None:
    berlin = BusinessCalendar(timezone="Europe/Berlin")
    result = deadline(call, ServiceArea.REGIONAL, calendar=berlin)
    assert result.at.astimezone(UTC) == expected_utc
    assert result.at.hour == local_hour


@pytest.mark.parametrize("area", list(ServiceArea))
def test_naive_call_time_is_rejected(area: ServiceArea) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        deadline(datetime(2026, 11, 20, 17, 30), area)


@settings(max_examples=200, deadline=None)
@given(
    called_at=st.datetimes(
        min_value=datetime(2026, 1, 1),
        max_value=datetime(2027, 12, 31),
        timezones=st.just(SHANGHAI),
    ),
    area=st.sampled_from(list(ServiceArea)),
    emergency=st.booleans(),
    remote_failed=st.booleans(),
)
def test_deadline_is_the_earliest_applicable_rule(
    called_at: datetime, area: ServiceArea, emergency: bool, remote_failed: bool
) -> None:
    result = deadline(called_at, area, emergency=emergency, remote_failed=remote_failed)
    wall = called_at.astimezone(UTC) + ARRIVAL_TARGET
    hours = {ServiceArea.URBAN: 6, ServiceArea.SUBURBAN: 7}.get(area)
    working = None if hours is None else CAL.add_working_hours(called_at, hours).astimezone(UTC)
    uses_36 = area is ServiceArea.REGIONAL or emergency or remote_failed
    applicable = [t for t in (working, wall if uses_36 else None) if t is not None]
    assert result.at.astimezone(UTC) == min(applicable)
    named_36 = uses_36 and (working is None or wall < working)
    assert (result.rule is DeadlineRule.THIRTY_SIX_HOURS) == named_36


# --- registering a call ------------------------------------------------------------------


def test_register_classifies_and_sets_the_deadline() -> None:
    area, result = register(draft(), OFFICE)
    assert area is ServiceArea.URBAN
    assert result == Deadline(sh(MONDAY, 14, 30), DeadlineRule.SIX_WORKING_HOURS)


def test_register_uses_the_site_distance() -> None:
    area, result = register(draft(site=point_at(CENTRE, 40, 120)), OFFICE)
    assert area is ServiceArea.SUBURBAN
    assert result.rule is DeadlineRule.SEVEN_WORKING_HOURS


def test_register_honours_the_area_override() -> None:
    area, result = register(draft(area_override=ServiceArea.REGIONAL), OFFICE)
    assert area is ServiceArea.REGIONAL
    assert result.rule is DeadlineRule.THIRTY_SIX_HOURS


@pytest.mark.parametrize("flag", ["emergency", "remote_failed"])
def test_register_passes_the_escalation_flags(flag: str) -> None:
    _, result = register(draft(**{flag: True}), OFFICE)
    assert result == Deadline(sh(date(2026, 11, 22), 5, 30), DeadlineRule.THIRTY_SIX_HOURS)


def test_register_uses_the_office_calendar() -> None:
    berlin_office = replace(OFFICE, calendar=BusinessCalendar(timezone="Europe/Berlin"))
    _, result = register(draft(), berlin_office)
    assert result.at.tzinfo == BERLIN
    # Friday 17:30 Shanghai is 10:30 Berlin: 6 working hours end 16:30 the same day.
    assert (result.at.day, result.at.hour, result.at.minute) == (20, 16, 30)


def test_register_rejects_a_draft_of_another_office() -> None:
    with pytest.raises(ValueError, match="'BJ'"):
        register(draft(office_code="BJ"), OFFICE)


def test_point_helper_is_accurate() -> None:
    assert math.isclose(distance_km(CENTRE, point_at(CENTRE, 42.0, 77)), 42.0, abs_tol=1e-9)
