"""Daily planning on the real store, checked by an independent domain-level checker."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from dispatch.calendar import BusinessCalendar
from dispatch.domain import Engineer, GeoPoint, Office, Plan, Ticket, TicketDraft
from dispatch.services.intake import register_ticket
from dispatch.services.planning import plan_day, resolve_scope
from dispatch.services.seeding import seed
from dispatch.store.repository import (
    EngineerRepository,
    OfficeRepository,
    PlanRepository,
    TicketRepository,
)
from dispatch.travel import default_provider
from solver import SolveParams
from tests.services.plan_checks import plan_problems

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 23)
CENTRE = GeoPoint(31.2304, 121.4737)
QUICK = SolveParams(time_limit_s=2.0, seed=1, solution_limit=200, workers=1)


def _office() -> Office:
    return Office("TS", "Test office", "Shanghai", "East", CENTRE, BusinessCalendar())


def _engineer(engineer_id: str, skills: set[str]) -> Engineer:
    return Engineer(engineer_id, f"Engineer {engineer_id}", "TS", frozenset(skills))


def _call(
    session: Session, hour: int, minute: int = 0, *, line: str = "ups", north_km: float = 3
) -> Ticket:
    site = GeoPoint(CENTRE.latitude + north_km / 111.0, CENTRE.longitude)
    draft = TicketDraft(
        office_code="TS",
        customer="A customer",
        site=site,
        called_at=datetime(2026, 11, 23, hour, minute, tzinfo=SHANGHAI),
        product_line=line,
        fault="down",
        onsite_minutes=90,
    )
    return register_ticket(session, draft)


def _organisation(session: Session, *engineers: Engineer) -> None:
    OfficeRepository(session).upsert(_office())
    for engineer in engineers:
        EngineerRepository(session).upsert(engineer)


def _check(session: Session, plan: Plan) -> None:
    tickets = TicketRepository(session)
    problems = plan_problems(
        plan,
        tickets={t.id: t for t in tickets.list()},
        engineers={e.id: e for e in EngineerRepository(session).list()},
        offices={o.code: o for o in OfficeRepository(session).list()},
        travel=default_provider(),
    )
    assert problems == []


def test_a_feasible_day_is_planned_entirely_on_time(session: Session) -> None:
    _organisation(session, _engineer("E1", {"ups"}))
    calls = [_call(session, 9), _call(session, 9, 30, north_km=6), _call(session, 10)]
    plan = plan_day(session, scope="TS", day=MONDAY, params=QUICK)
    _check(session, plan)
    assert sorted(v.ticket_id for v in plan.visits) == sorted(t.id for t in calls)
    assert all(v.on_time for v in plan.visits)
    assert plan.kpis["on_time"] == 3
    assert plan.kpis["on_time_by_rule"] == {"6h": {"on_time": 3, "late": 0}}


def test_a_job_goes_to_the_only_certified_engineer(session: Session) -> None:
    _organisation(session, _engineer("E1", {"ups"}), _engineer("E2", {"storage"}))
    storage = _call(session, 9, line="storage")
    plan = plan_day(session, scope="TS", day=MONDAY, params=QUICK)
    _check(session, plan)
    assert [(v.ticket_id, v.engineer_id) for v in plan.visits] == [(storage.id, "E2")]


def test_an_evening_call_is_served_next_morning_on_time(session: Session) -> None:
    _organisation(session, _engineer("E1", {"ups"}))
    evening = _call(session, 19, 45)
    plan = plan_day(session, scope="TS", day=MONDAY, params=QUICK)
    _check(session, plan)
    (visit,) = plan.visits
    assert visit.ticket_id == evening.id
    assert visit.arrival.astimezone(SHANGHAI).date() == date(2026, 11, 24)
    assert visit.on_time


def test_more_work_than_two_days_hold_leaves_reasons(session: Session) -> None:
    _organisation(session, _engineer("E1", {"ups"}))
    for slot in range(14):
        _call(session, 9 + slot // 2, 30 * (slot % 2), north_km=2 + slot)
    plan = plan_day(session, scope="TS", day=MONDAY, params=QUICK)
    _check(session, plan)
    late = [v for v in plan.visits if not v.on_time]
    assert late or plan.unassigned
    reasons = plan.kpis["reasons"]
    assert isinstance(reasons, dict)
    for ticket_id, _ in plan.unassigned:
        assert reasons[str(ticket_id)]["message"]
    for visit in late:
        assert "min late" in reasons[str(visit.ticket_id)]["message"]


def test_each_plan_is_a_new_version_and_the_old_one_stays(session: Session) -> None:
    _organisation(session, _engineer("E1", {"ups"}))
    _call(session, 9)
    first = plan_day(session, scope="TS", day=MONDAY, params=QUICK)
    second = plan_day(session, scope="TS", day=MONDAY, params=QUICK)
    assert (first.version, second.version) == (1, 2)
    assert PlanRepository(session).get(first.id).visits == first.visits


def test_the_seeded_normal_day_of_one_office_is_sound(session: Session) -> None:
    seed(session, scenario="normal", day=MONDAY, seed=7)
    plan = plan_day(session, scope="SH", day=MONDAY, params=QUICK)
    _check(session, plan)
    shanghai = [t for t in TicketRepository(session).list(office_code="SH")]
    assert len(plan.visits) + len(plan.unassigned) == len(shanghai)
    assert {v.engineer_id for v in plan.visits} <= {"E01", "E02"}


def test_scopes_name_offices_regions_or_all(session: Session) -> None:
    seed(session, scenario="normal", day=MONDAY, seed=7)
    offices = OfficeRepository(session).list()
    assert len(resolve_scope(offices, "ALL")) == 15
    assert {o.code for o in resolve_scope(offices, "sh, bj")} == {"SH", "BJ"}
    east = resolve_scope(offices, "region:East")
    assert east and all(o.region == "East" for o in east)
    with pytest.raises(LookupError):
        resolve_scope(offices, "XX")
    with pytest.raises(LookupError):
        resolve_scope(offices, "region:Atlantis")


def test_no_certified_engineer_in_scope_is_said_plainly(session: Session) -> None:
    _organisation(session, _engineer("E1", {"ups"}))
    elsewhere = Office(
        "T2", "Other office", "Hangzhou", "East", GeoPoint(30.27, 120.16), BusinessCalendar()
    )
    OfficeRepository(session).upsert(elsewhere)
    EngineerRepository(session).upsert(Engineer("E2", "Engineer E2", "T2", frozenset({"storage"})))
    ticket = _call(session, 9, line="storage")
    plan = plan_day(session, scope="TS", day=MONDAY, params=QUICK)
    assert plan.visits == ()
    assert [t for t, _ in plan.unassigned] == [ticket.id]
    assert "certified on storage" in plan.unassigned[0][1]
    both = plan_day(session, scope="TS,T2", day=MONDAY, params=QUICK)
    assert [(v.ticket_id, v.engineer_id) for v in both.visits] == [(ticket.id, "E2")]
