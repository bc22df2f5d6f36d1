"""Holidays from the maintained package, checked against the hand-read 2026 notice."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from dispatch.domain import GeoPoint, TicketDraft
from dispatch.holiday_source import china_schedule
from dispatch.services.calendar_warnings import holiday_warnings
from dispatch.services.intake import register_ticket
from dispatch.services.planning import plan_day
from dispatch.store.repository import OfficeRepository
from fixtures.holidays import HOLIDAYS_2026, MAKEUP_WORKING_DAYS_2026
from fixtures.organisation import OFFICES
from solver import SolveParams
from tests.api.conftest import load_organisation


def test_the_package_agrees_with_the_state_council_notice_for_2026() -> None:
    schedule = china_schedule()
    assert {d for d in schedule.holidays if d.year == 2026} == HOLIDAYS_2026
    assert {d for d in schedule.makeup_days if d.year == 2026} == MAKEUP_WORKING_DAYS_2026
    assert schedule.known_through.year == max(d.year for d in schedule.holidays)
    assert schedule.source.startswith("chinesecalendar ")


def test_office_calendars_take_the_package_days() -> None:
    calendar = OFFICES[0].calendar
    assert not calendar.is_working_day(date(2026, 10, 1))  # National Day, a Thursday
    assert calendar.is_working_day(date(2026, 9, 20))  # a Sunday worked in exchange
    assert calendar.is_working_day(date(2026, 11, 23))
    assert calendar.holidays_known_through == china_schedule().known_through


def test_the_store_keeps_how_far_the_source_reaches(session: Session) -> None:
    load_organisation(session)
    stored = OfficeRepository(session).get("SH").calendar
    assert stored.holidays_known_through == china_schedule().known_through
    assert stored.holidays == OFFICES[0].calendar.holidays


def test_a_day_the_source_does_not_cover_is_a_warning_not_a_silent_working_day(
    session: Session,
) -> None:
    known = china_schedule().known_through
    assert holiday_warnings(date(2026, 11, 23), OFFICES) == [] or known < date(2026, 11, 24)
    later = date(known.year + 1, 1, 4)
    warnings = holiday_warnings(later, OFFICES)
    assert warnings and later.isoformat() in warnings[0] and "SH" in warnings[0]
    load_organisation(session)
    register_ticket(
        session,
        TicketDraft(
            office_code="SH",
            customer="Pudong Metro",
            site=GeoPoint(31.2304, 121.4737),
            called_at=datetime.combine(later, datetime.min.time(), ZoneInfo("Asia/Shanghai")),
            product_line="video-surveillance",
            fault="no picture",
        ),
    )
    params = SolveParams(time_limit_s=5, solution_limit=1, workers=1)
    plan = plan_day(session, scope="SH", day=later, params=params)
    assert plan.kpis["warnings"] and "holiday source" in str(plan.kpis["warnings"])
