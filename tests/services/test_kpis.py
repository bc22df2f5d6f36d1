"""Engineers' figures are per working day: the planning day, and the next one under
``next_day``; a visit counts on its arrival's local date in the engineer's office zone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from dispatch.calendar import BusinessCalendar
from dispatch.domain import (
    DeadlineRule,
    Engineer,
    GeoPoint,
    Office,
    ServiceArea,
    Ticket,
    TicketDraft,
    Visit,
    WorkKind,
)
from dispatch.services.intake import register_ticket
from dispatch.services.kpis import KpiDict, plan_kpis
from dispatch.services.planning import plan_day
from dispatch.store.repository import EngineerRepository, OfficeRepository
from solver import SolveParams

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 23)
TUESDAY = date(2026, 11, 24)
FRIDAY = date(2026, 11, 27)
CENTRE = GeoPoint(31.2304, 121.4737)
QUICK = SolveParams(time_limit_s=2.0, seed=1, solution_limit=200, workers=1)


def _office(timezone: str = "Asia/Shanghai") -> Office:
    return Office("TS", "Test office", "Shanghai", "East", CENTRE, BusinessCalendar(timezone))


ENGINEER = Engineer("E1", "Engineer E1", "TS", frozenset({"ups"}))
"""09:00-18:00 with an hour's lunch: a shift of 8 hours."""


def _ticket(ticket_id: int, kind: WorkKind, zone: ZoneInfo = SHANGHAI) -> Ticket:
    called = datetime(2026, 11, 23, 9, tzinfo=zone)
    draft = TicketDraft("TS", "customer", CENTRE, called, "ups", "down", kind=kind)
    return Ticket(
        ticket_id,
        draft,
        ServiceArea.REGIONAL,
        called + timedelta(hours=36),
        DeadlineRule.THIRTY_SIX_HOURS,
    )


def _visit(ticket: Ticket, sequence: int, arrival: datetime, hours: float) -> Visit:
    departure = arrival + timedelta(hours=hours)
    return Visit(ticket.id, "E1", sequence, arrival, departure, ticket.deadline, 30, 20.0)


def _at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = SHANGHAI) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def _kpis(
    day: date,
    tickets: Sequence[Ticket],
    visits: Sequence[Visit],
    back_minutes: float,
    office: Office | None = None,
) -> KpiDict:
    office = office or _office()
    return plan_kpis(
        day=day,
        visits=visits,
        unassigned=[],
        tickets={t.id: t for t in tickets},
        engineers=[ENGINEER],
        offices={office.code: office},
        return_legs={"E1": (back_minutes, 20.0)},
    )


def test_a_two_day_route_reports_each_day_against_its_own_shift() -> None:
    paid, paid_too, contract = (
        _ticket(1, WorkKind.PAID),
        _ticket(2, WorkKind.PAID),
        _ticket(3, WorkKind.CONTRACT),
    )
    visits = [
        _visit(paid, 1, _at(MONDAY, 9, 30), 3),
        _visit(paid_too, 2, _at(MONDAY, 13, 30), 3),
        _visit(contract, 3, _at(TUESDAY, 9, 30), 2),
    ]
    kpis = _kpis(MONDAY, [paid, paid_too, contract], visits, back_minutes=30)
    monday = kpis["engineers"]["E1"]
    assert monday["date"] == "2026-11-23"
    assert monday["jobs"] == 2
    assert monday["hours_by_kind"] == {"A": 7.0, "B": 0.0, "C": 0.0, "D": 1.0}
    assert monday["utilisation"] == 0.875
    assert monday["overtime_minutes"] == 0
    tuesday = monday["next_day"]
    assert tuesday["date"] == "2026-11-24"
    assert tuesday["jobs"] == 1
    assert tuesday["travel_hours"] == 1.0, "its own travel and the way home: the route ends then"
    assert tuesday["hours_by_kind"] == {"A": 0.0, "B": 2.5, "C": 0.0, "D": 5.0}
    assert tuesday["utilisation"] == 0.375
    assert kpis["assigned"] == 3, "plan-wide figures still count both days"


def test_a_route_ending_on_the_planning_day_takes_its_way_home_that_day() -> None:
    paid = _ticket(1, WorkKind.PAID)
    kpis = _kpis(MONDAY, [paid], [_visit(paid, 1, _at(MONDAY, 10), 2)], back_minutes=30)
    monday = kpis["engineers"]["E1"]
    assert (monday["travel_hours"], monday["hours_by_kind"]["A"]) == (1.0, 2.5)
    assert monday["next_day"]["jobs"] == 0
    assert monday["next_day"]["travel_hours"] == 0.0
    assert monday["next_day"]["hours_by_kind"]["D"] == 8.0


def test_friday_plans_carry_over_into_monday() -> None:
    free = _ticket(1, WorkKind.FREE)
    monday = date(2026, 11, 30)
    kpis = _kpis(FRIDAY, [free], [_visit(free, 1, _at(monday, 9, 30), 2)], back_minutes=30)
    friday = kpis["engineers"]["E1"]
    assert (friday["date"], friday["jobs"], friday["utilisation"]) == ("2026-11-27", 0, 0.0)
    assert (friday["next_day"]["date"], friday["next_day"]["jobs"]) == ("2026-11-30", 1)


def test_a_visit_counts_on_its_local_date_not_the_utc_one() -> None:
    pacific = ZoneInfo("America/Los_Angeles")
    late = _ticket(1, WorkKind.PAID, pacific)
    arrival = _at(MONDAY, 16, 30, pacific).astimezone(UTC)
    assert arrival.date() == TUESDAY
    kpis = _kpis(
        MONDAY,
        [late],
        [_visit(late, 1, arrival, 1)],
        back_minutes=30,
        office=_office("America/Los_Angeles"),
    )
    monday = kpis["engineers"]["E1"]
    assert (monday["jobs"], monday["next_day"]["jobs"]) == (1, 0)
    assert monday["hours_by_kind"]["A"] == 1.5


def test_a_planned_two_day_route_keeps_next_day_visits_out_of_the_day(session: Session) -> None:
    OfficeRepository(session).upsert(_office())
    EngineerRepository(session).upsert(ENGINEER)
    for hour, minute, north_km in ((9, 0, 3), (9, 30, 6), (19, 45, 4)):
        site = GeoPoint(CENTRE.latitude + north_km / 111.0, CENTRE.longitude)
        called = datetime(2026, 11, 23, hour, minute, tzinfo=SHANGHAI)
        register_ticket(session, TicketDraft("TS", "c", site, called, "ups", "down"))
    plan = plan_day(session, scope="TS", day=MONDAY, params=QUICK)
    by_day = {
        d: [v for v in plan.visits if v.arrival.astimezone(SHANGHAI).date() == d]
        for d in (MONDAY, TUESDAY)
    }
    assert len(by_day[MONDAY]) == 2 and len(by_day[TUESDAY]) == 1
    engineers = plan.kpis["engineers"]
    assert isinstance(engineers, dict)
    monday = engineers["E1"]
    worked = sum(
        v.travel_minutes + (v.departure - v.arrival).total_seconds() / 60 for v in by_day[MONDAY]
    )
    assert monday["jobs"] == 2
    assert monday["hours_by_kind"]["C"] == round(worked / 60, 2)
    assert 0 < monday["utilisation"] <= 1
    assert monday["next_day"]["jobs"] == 1
    assert monday["next_day"]["date"] == "2026-11-24"
    assert 0 < monday["next_day"]["utilisation"] <= 1
