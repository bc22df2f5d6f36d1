"""Arrival options at intake: insertion into the published plan, and assigning one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from dispatch.domain import GeoPoint, Plan, Ticket, TicketDraft, TicketStatus
from dispatch.errors import ConflictError, NotFoundError
from dispatch.services.arrival_options import arrival_options, fitting
from dispatch.services.assign_option import assign_option
from dispatch.services.intake import register_ticket
from dispatch.services.planning import plan_day
from dispatch.services.publishing import publish_plan
from dispatch.store.repository import (
    EngineerRepository,
    OfficeRepository,
    PlanRepository,
    TicketRepository,
)
from dispatch.travel import TravelMatrix, default_provider
from solver import SolveParams
from solver.insertion import Insertion
from solver.validate import hard, validate
from tests.api.conftest import load_organisation as seed_organisation
from tests.services.plan_checks import plan_problems

DAY = date(2026, 11, 23)
SHANGHAI = ZoneInfo("Asia/Shanghai")
PUDONG = GeoPoint(31.2304, 121.4737)
QUICK = SolveParams(time_limit_s=5, solution_limit=3, workers=1)


SH_CALLS = (
    # (latitude, longitude, product line, called at hh:mm, minutes on site)
    (31.2397, 121.4998, "video-surveillance", "08:10", 60),
    (31.1880, 121.4370, "network-switching", "08:40", 90),
    (31.2650, 121.5300, "av-transmission", "09:05", 60),
    (31.3000, 121.5000, "video-surveillance", "09:30", 60),
    (31.2200, 121.5500, "servers", "08:20", 90),
    (31.1500, 121.4000, "storage", "09:10", 60),
    (31.2800, 121.4200, "ups-power", "09:40", 60),
)


def _published(session: Session) -> Plan:
    """The fixture organisation, seven Shanghai calls, and their plan (SH), published."""
    seed_organisation(session)
    for lat, lon, line, hhmm, minutes in SH_CALLS:
        hour, minute = map(int, hhmm.split(":"))
        at = datetime(2026, 11, 23, hour, minute, tzinfo=SHANGHAI)
        _call(session, line=line, at=at, site=GeoPoint(lat, lon), minutes=minutes)
    plan = plan_day(session, scope="SH", day=DAY, params=QUICK)
    publish_plan(session, plan.id)
    session.commit()
    return plan


def _call(
    session: Session,
    *,
    line: str = "video-surveillance",
    at: datetime | None = None,
    site: GeoPoint | None = None,
    minutes: int = 90,
) -> Ticket:
    draft = TicketDraft(
        office_code="SH",
        customer="Pudong Metro",
        site=site or PUDONG,
        called_at=at or datetime(2026, 11, 23, 11, 0, tzinfo=SHANGHAI),
        product_line=line,
        fault="no picture",
        onsite_minutes=minutes,
    )
    ticket = register_ticket(session, draft)
    session.commit()
    return ticket


def _check_plan(session: Session, plan: Plan) -> list[str]:
    tickets = {t.id: t for t in TicketRepository(session).list()}
    engineers = {e.id: e for e in EngineerRepository(session).list()}
    offices = {o.code: o for o in OfficeRepository(session).list()}
    return plan_problems(
        plan, tickets=tickets, engineers=engineers, offices=offices, travel=default_provider()
    )


def _by_engineer(plan: Plan) -> dict[str, list[tuple[int, datetime]]]:
    routes: dict[str, list[tuple[int, datetime]]] = {}
    for visit in sorted(plan.visits, key=lambda v: (v.engineer_id, v.sequence)):
        routes.setdefault(visit.engineer_id, []).append((visit.ticket_id, visit.arrival))
    return routes


def test_the_assigned_plan_has_the_option_eta_and_differs_only_by_it(session: Session) -> None:
    published = _published(session)
    ticket = _call(session)
    report = arrival_options(session, ticket.id, count=3)
    assert report.plan.id == published.id and report.options
    option = report.options[0]
    plan, applied = assign_option(session, ticket.id, plan_id=published.id, key=option.key)
    assert applied.eta == option.eta and applied.changes == option.changes
    visit = next(v for v in plan.visits if v.ticket_id == ticket.id)
    assert visit.arrival == option.eta and visit.engineer_id == option.engineer.id
    assert plan.version == published.version + 1 and not plan.published
    before, after = _by_engineer(published), _by_engineer(plan)
    touched = {option.engineer.id, *(c.engineer_id for c in option.changes)}
    for engineer in set(before) | set(after):
        if engineer not in touched:
            assert after.get(engineer) == before.get(engineer)
    moved = {c.ticket_id: c.eta_after for c in option.changes}
    for engineer in touched:
        for ticket_id, arrival in after.get(engineer, []):
            if ticket_id != ticket.id and ticket_id not in moved:
                assert (ticket_id, arrival) in before[engineer]
            elif ticket_id in moved:
                assert arrival == moved[ticket_id]
    assert _check_plan(session, plan) == []


def test_every_option_keeps_every_hard_rule_and_is_ranked_by_objective(session: Session) -> None:
    _published(session)
    ticket = _call(session)
    report = arrival_options(session, ticket.id, count=5)
    fit = fitting(session, ticket, report.plan)
    assert fit.plan is not None
    objectives = [o.objective for o in report.options]
    assert objectives == sorted(objectives)
    assert len({o.engineer.id for o in report.options}) == len(report.options)
    for option in report.options:
        candidate = fit.plan.with_insertion(fit.job_id, Insertion.parse(option.key))
        assert candidate is not None
        assert hard(validate(fit.plan.problem, candidate.solution)) == []
        assert candidate.objective == option.objective


def test_the_best_option_is_no_worse_than_every_plain_insertion(session: Session) -> None:
    """Exhaustive reference: every engineer, every open position, no repair."""
    _published(session)
    ticket = _call(session)
    best = arrival_options(session, ticket.id, count=1).options[0]
    fit = fitting(session, ticket, arrival_options(session, ticket.id).plan)
    assert fit.plan is not None
    tried = []
    for engineer, ids in fit.plan.routes.items():
        for position in range(fit.plan.earliest.get(engineer, 0), len(ids) + 1):
            found = fit.plan.with_insertion(fit.job_id, Insertion(engineer, position))
            if found is not None:
                tried.append(found.objective)
    assert tried and best.objective <= min(tried)


def test_only_engineers_certified_on_the_line_are_offered(session: Session) -> None:
    _published(session)
    engineers = {e.id: e for e in EngineerRepository(session).list()}
    for line in ("ups-power", "storage", "video-surveillance"):
        ticket = _call(session, line=line)
        report = arrival_options(session, ticket.id, count=10)
        for option in report.options:
            assert line in engineers[option.engineer.id].skills
        with pytest.raises(ValueError, match="cannot take"):
            uncertified = next(
                e for e in engineers.values() if line not in e.skills and e.office_code == "SH"
            )
            assign_option(session, ticket.id, plan_id=report.plan.id, key=f"{uncertified.id}:0")


def test_a_call_nobody_in_scope_is_certified_for_gets_no_option(session: Session) -> None:
    _published(session)
    ticket = _call(session, line="access-control")
    report = arrival_options(session, ticket.id)
    assert report.options == () and report.engineers_considered == 0


def test_stops_before_the_call_are_not_moved(session: Session) -> None:
    published = _published(session)
    ticket = _call(session, at=datetime(2026, 11, 23, 14, 0, tzinfo=SHANGHAI))
    options = arrival_options(session, ticket.id, count=5).options
    assert options
    for option in options:
        assert option.eta >= ticket.called_at
        for change in option.changes:
            assert change.eta_before >= ticket.called_at
        plan = assign_option(session, ticket.id, plan_id=published.id, key=option.key)[0]
        past = {(v.ticket_id, v.arrival) for v in published.visits if v.arrival < ticket.called_at}
        assert past <= {(v.ticket_id, v.arrival) for v in plan.visits}


def test_conflicts_and_missing_plans(session: Session) -> None:
    with pytest.raises(NotFoundError):
        arrival_options(session, 999)
    seed_organisation(session)
    early = _call(session)
    with pytest.raises(NotFoundError, match="published plan"):
        arrival_options(session, early.id)
    published = plan_day(session, scope="SH", day=DAY, params=QUICK)
    publish_plan(session, published.id)
    routed = published.visits[0].ticket_id
    with pytest.raises(ConflictError, match="already routed"):
        arrival_options(session, routed)
    ticket = _call(session)
    option = arrival_options(session, ticket.id).options[0]
    newer = assign_option(session, ticket.id, plan_id=published.id, key=option.key)[0]
    publish_plan(session, newer.id)
    with pytest.raises(ConflictError, match="not the current published plan"):
        assign_option(session, ticket.id, plan_id=published.id, key=option.key)
    with pytest.raises(ConflictError, match="already routed"):
        assign_option(session, ticket.id, plan_id=newer.id, key=option.key)
    other = _call(session)
    TicketRepository(session).change_status(other.id, TicketStatus.CANCELLED)
    with pytest.raises(ConflictError, match="cancelled"):
        arrival_options(session, other.id)


def test_bad_option_keys_are_refused(session: Session) -> None:
    published = _published(session)
    ticket = _call(session)
    for key in ("E01", "E01:x", "E01:1+", ":3"):
        with pytest.raises(ValueError):
            assign_option(session, ticket.id, plan_id=published.id, key=key)
    with pytest.raises(ConflictError, match="no longer fits"):
        assign_option(session, ticket.id, plan_id=published.id, key="E01:99")


class _FailingTravel:
    """Travel that works for the first ``calls`` matrices, then fails (a provider outage)."""

    def __init__(self, calls: int) -> None:
        self.left = calls

    def matrix(self, points: Sequence[GeoPoint]) -> TravelMatrix:
        self.left -= 1
        if self.left < 0:
            raise RuntimeError("travel provider down")
        return default_provider().matrix(points)


def test_a_failure_while_assigning_stores_nothing(session: Session) -> None:
    published = _published(session)
    ticket = _call(session)
    option = arrival_options(session, ticket.id).options[0]
    with pytest.raises(RuntimeError, match="down"):
        assign_option(
            session, ticket.id, plan_id=published.id, key=option.key, travel=_FailingTravel(1)
        )
    session.rollback()
    latest = PlanRepository(session).latest(published.scope, DAY)
    assert latest is not None and latest.id == published.id
    assert TicketRepository(session).get(ticket.id).status is TicketStatus.AWAITING_DISPATCH
    assert arrival_options(session, ticket.id).options[0] == option
