"""Emergency re-planning of a running day: done stays done, on site stays, few moves."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from dispatch.calendar import BusinessCalendar
from dispatch.domain import Engineer, GeoPoint, Office, Ticket, TicketDraft, TicketStatus
from dispatch.services.intake import register_ticket
from dispatch.services.planning import plan_day
from dispatch.services.replanning import changed_next_stops, replan
from dispatch.store.repository import (
    EngineerRepository,
    OfficeRepository,
    PlanRepository,
    TicketRepository,
)
from solver import SolveParams, validate

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 23)
CENTRE = GeoPoint(31.2304, 121.4737)
QUICK = SolveParams(time_limit_s=2.0, seed=3, solution_limit=300, workers=1)
S = TicketStatus


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=SHANGHAI)


def _setup(session: Session) -> None:
    office = Office("TS", "Test office", "Shanghai", "East", CENTRE, BusinessCalendar())
    OfficeRepository(session).upsert(office)
    for engineer_id in ("E1", "E2"):
        engineer = Engineer(engineer_id, engineer_id, "TS", frozenset({"ups"}))
        EngineerRepository(session).upsert(engineer)


def _call(session: Session, called: datetime, east_km: float, *, emergency: bool = False) -> Ticket:
    draft = TicketDraft(
        office_code="TS",
        customer="customer",
        site=GeoPoint(CENTRE.latitude, CENTRE.longitude + east_km / 95.0),
        called_at=called,
        product_line="ups",
        fault="down",
        onsite_minutes=90,
        emergency=emergency,
    )
    return register_ticket(session, draft)


def _publish_and_start(session: Session) -> tuple[int, int]:
    """Plan and publish the morning; E1 reaches the first stop at 10:00."""
    plan = plan_day(session, scope="TS", day=MONDAY, params=QUICK)
    PlanRepository(session).publish(plan.id)
    tickets = TicketRepository(session)
    for visit in plan.visits:
        tickets.change_status(visit.ticket_id, S.DISPATCHED)
    first = min(plan.visits, key=lambda v: (v.arrival, v.engineer_id))
    tickets.change_status(first.ticket_id, S.EN_ROUTE, at=_at(9, 30))
    tickets.change_status(first.ticket_id, S.ON_SITE, at=_at(10, 0))
    return plan.id, first.ticket_id


def test_an_emergency_keeps_the_engineer_on_site_and_is_served(session: Session) -> None:
    _setup(session)
    for hour, km in ((9, 3), (9, -4), (10, 6), (10, -7)):
        _call(session, _at(hour), km)
    published_id, on_site = _publish_and_start(session)
    owner = next(
        v.engineer_id
        for v in PlanRepository(session).get(published_id).visits
        if v.ticket_id == on_site
    )
    urgent = _call(session, _at(10, 20), 2, emergency=True)

    report = replan(session, scope="TS", day=MONDAY, as_of=_at(10, 30), params=QUICK)

    plan = report.plan
    assert report.previous_plan_id == published_id
    assert plan.version == 2
    first_of_owner = min(
        (v for v in plan.visits if v.engineer_id == owner), key=lambda v: v.sequence
    )
    assert first_of_owner.ticket_id == on_site
    assert first_of_owner.arrival <= _at(10, 30)
    assert (first_of_owner.departure - _at(10, 30)).total_seconds() == 60 * 60
    assert urgent.id in {v.ticket_id for v in plan.visits}
    assert all(v.arrival >= _at(10, 30) or v.ticket_id == on_site for v in plan.visits)
    assert len(report.changed_engineers) <= 1


def test_finished_work_is_not_planned_again(session: Session) -> None:
    _setup(session)
    for hour, km in ((9, 3), (9, -4)):
        _call(session, _at(hour), km)
    _, on_site = _publish_and_start(session)
    TicketRepository(session).change_status(on_site, S.FIXED_ON_SITE, at=_at(11, 0))
    report = replan(session, scope="TS", day=MONDAY, as_of=_at(11, 15), params=QUICK)
    assert on_site not in {v.ticket_id for v in report.plan.visits}
    assert on_site not in {t for t, _ in report.plan.unassigned}


def test_changed_next_stops_counts_only_engineers_whose_next_stop_moved(
    session: Session,
) -> None:
    _setup(session)
    for hour, km in ((9, 3), (9, -4), (10, 6)):
        _call(session, _at(hour), km)
    plan = plan_day(session, scope="TS", day=MONDAY, params=QUICK)
    routes: dict[str, list[int]] = {}
    for visit in sorted(plan.visits, key=lambda v: v.sequence):
        routes.setdefault(visit.engineer_id, []).append(visit.ticket_id)
    same = {e: tuple(ids) for e, ids in routes.items()}
    assert changed_next_stops(same, plan) == ()
    moved = {e: (999, *ids) for e, ids in same.items()}
    assert changed_next_stops(moved, plan) == tuple(sorted(same))


def test_the_replanned_problem_passes_the_independent_validator(session: Session) -> None:
    from dispatch.services.problem_builder import RunningDay, build_problem
    from dispatch.travel import default_provider
    from solver import solve

    _setup(session)
    tickets = [_call(session, _at(9), 3), _call(session, _at(9, 10), -5)]
    running = RunningDay(
        as_of=_at(11),
        positions={"E1": tickets[0].draft.site},
        first_stops={"E1": tickets[0].id},
        remaining_minutes={tickets[0].id: 30},
        previous_routes={"E1": (tickets[0].id,), "E2": (tickets[1].id,)},
    )
    planning = build_problem(
        day=MONDAY,
        offices=OfficeRepository(session).list(),
        engineers=EngineerRepository(session).list(),
        tickets=tickets,
        travel=default_provider(),
        running=running,
    )
    solution = solve(planning.problem, QUICK)
    assert [v for v in validate(planning.problem, solution) if v.severity == "hard"] == []
    route = solution.route_of("E1")
    assert route is not None and route.stops[0].job_id == str(tickets[0].id)
    assert route.stops[0].end - route.stops[0].start == 30
