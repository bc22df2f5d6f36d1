"""Daily planning: load the day, solve it, check it, explain it, store it as a new version.

The three steps are apart on purpose: loading and storing need a database session,
solving does not, so a worker process can solve without holding a session open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from dispatch.domain import Engineer, Office, Plan, Visit
from dispatch.errors import DispatchError, InvalidInputError, NotFoundError
from dispatch.lifecycle import PLANNABLE_STATUSES
from dispatch.services.calendar_warnings import holiday_warnings
from dispatch.services.kpis import KpiDict, plan_kpis
from dispatch.services.problem_builder import PlanningProblem, build_problem
from dispatch.services.reasons import describe
from dispatch.store.plans import ALL_OFFICES
from dispatch.store.repository import (
    EngineerRepository,
    OfficeRepository,
    PlanRepository,
    TicketRepository,
)
from dispatch.travel import TravelProvider, default_provider
from solver import SolveParams, solve
from solver.explain import explain
from solver.solution import Route, Solution
from solver.validate import validate

#: Explaining a plan (the reasons for late and left-out tickets) has a budget of its own:
#: this share of the solve's time limit, and at least ``EXPLAIN_MIN_S``. Reasons are
#: worked out most urgent first; those past the budget say "not examined". With the
#: solve's own limit as the budget, a large day took up to twice the limit.
EXPLAIN_SHARE = 0.2
EXPLAIN_MIN_S = 0.5


def explain_budget_s(time_limit_s: float) -> float:
    """Seconds for explaining a plan solved within ``time_limit_s``."""
    return max(EXPLAIN_MIN_S, EXPLAIN_SHARE * time_limit_s)


class PlanRejectedError(DispatchError):
    """The solver returned a plan the independent validator refuses: never stored."""


@dataclass(frozen=True, slots=True)
class PlanDraft:
    """A solved, validated plan not yet stored."""

    scope: tuple[str, ...]
    day: date
    visits: tuple[Visit, ...]
    unassigned: tuple[tuple[int, str], ...]
    kpis: KpiDict


def resolve_scope(offices: Sequence[Office], scope: str) -> tuple[Office, ...]:
    """``ALL``, ``region:NAME``, or office codes separated by commas."""
    spec = scope.strip()
    if spec.upper() == ALL_OFFICES:
        return tuple(offices)
    if spec.lower().startswith("region:"):
        region = spec.split(":", 1)[1].strip().lower()
        chosen = tuple(o for o in offices if o.region.lower() == region)
        if not chosen:
            known = sorted({o.region for o in offices})
            raise NotFoundError("region", region, hint=f"regions: {', '.join(known)}")
        return chosen
    by_code = {o.code: o for o in offices}
    codes = [c.strip().upper() for c in spec.split(",") if c.strip()]
    unknown = [c for c in codes if c not in by_code]
    if unknown or not codes:
        raise NotFoundError("office", ",".join(unknown) or spec)
    return tuple(by_code[c] for c in sorted(set(codes)))


def scope_codes(chosen: Sequence[Office], everything: Sequence[Office]) -> tuple[str, ...]:
    """What a plan is stored under: ``("ALL",)`` or the sorted office codes."""
    if len(chosen) == len(everything):
        return (ALL_OFFICES,)
    return tuple(sorted(o.code for o in chosen))


def day_end(day: date, offices: Sequence[Office]) -> datetime:
    """Midnight after ``day`` in the last time zone to reach it: calls before it count."""
    return max(
        datetime.combine(day + timedelta(days=1), time(0), tzinfo=o.calendar.zone())
        for o in offices
    )


def offices_in_scope(session: Session, scope: str) -> tuple[dict[str, Office], tuple[str, ...]]:
    """The offices a scope names, and the codes its plans are stored under."""
    everything = OfficeRepository(session).list()
    chosen = resolve_scope(everything, scope)
    return {o.code: o for o in chosen}, scope_codes(chosen, everything)


def load_planning_problem(
    session: Session,
    *,
    scope: str,
    day: date,
    travel: TravelProvider | None = None,
    large_days: bool = False,
) -> tuple[tuple[str, ...], PlanningProblem]:
    """The open tickets of the scope called before the day ends, and its engineers;
    ``large_days`` as ``build_problem`` takes it (parts workers are there)."""
    chosen, codes = offices_in_scope(session, scope)
    engineers: list[Engineer] = [
        e for e in EngineerRepository(session).list() if e.office_code in chosen
    ]
    if not engineers:
        raise InvalidInputError(f"no engineer works in scope {scope!r}", field="scope")
    tickets = TicketRepository(session).list(
        office_code=set(chosen),
        status=PLANNABLE_STATUSES,
        called_to=day_end(day, list(chosen.values())),
    )
    problem = build_problem(
        day=day,
        offices=list(chosen.values()),
        engineers=engineers,
        tickets=sorted(tickets, key=lambda t: t.id),
        travel=travel or default_provider(),
        large_days=large_days,
    )
    return codes, problem


def _route_visits(planning: PlanningProblem, route: Route) -> tuple[list[Visit], float, float]:
    """The visits of one route, and the (minutes, km) of the way back home."""
    problem = planning.problem
    vehicle = next(v for v in problem.vehicles if v.id == route.vehicle_id)
    previous = vehicle.start_location
    visits = []
    for sequence, stop in enumerate(route.stops, start=1):
        job = problem.job(stop.job_id)
        ticket = planning.tickets[stop.job_id]
        visits.append(
            Visit(
                ticket_id=ticket.id,
                engineer_id=route.vehicle_id,
                sequence=sequence,
                arrival=planning.instant(stop.start),
                departure=planning.instant(stop.end),
                deadline=ticket.deadline,
                travel_minutes=int(problem.durations[previous, job.location]),
                travel_km=round(float(problem.distances[previous, job.location]) / 1000.0, 1),
            )
        )
        previous = job.location
    home = vehicle.end_location
    return visits, float(problem.durations[previous, home]), problem.distances[previous, home] / 1e3


def solve_plan(
    planning: PlanningProblem, *, scope: tuple[str, ...], day: date, params: SolveParams
) -> tuple[PlanDraft, Solution]:
    """Solve, refuse anything the validator finds infeasible, explain what is not on time."""
    solution = solve(planning.problem, params)
    hard = [v for v in validate(planning.problem, solution) if v.severity == "hard"]
    if hard:
        raise PlanRejectedError("; ".join(v.message for v in hard[:5]))
    visits: list[Visit] = []
    return_legs: dict[str, tuple[float, float]] = {}
    for route in solution.routes:
        route_visits, back_minutes, back_km = _route_visits(planning, route)
        visits.extend(route_visits)
        if route_visits:
            return_legs[route.vehicle_id] = (back_minutes, back_km)
    late = {str(v.ticket_id): v.minutes_late for v in visits}
    budget = explain_budget_s(params.time_limit_s)
    explained = explain(planning.problem, solution, seconds_per_unit=60.0, budget_s=budget)
    reasons = {
        job_id: (
            reason.code,
            describe(reason, planning.tickets[job_id], planning, late.get(job_id)),
        )
        for job_id, reason in explained.items()
    }
    unassigned = tuple((int(job_id), reasons[job_id][1]) for job_id in solution.unassigned)
    kpis = plan_kpis(
        day=day,
        visits=visits,
        unassigned=[ticket_id for ticket_id, _ in unassigned],
        tickets={t.id: t for t in planning.tickets.values()},
        engineers=list(planning.engineers.values()),
        offices=planning.offices,
        return_legs=return_legs,
    )
    kpis["reasons"] = {
        job_id: {"code": code, "message": message, "figures": explained[job_id].details}
        for job_id, (code, message) in reasons.items()
    }
    kpis["warnings"] = holiday_warnings(day, planning.offices.values())
    kpis["objective"] = solution.stats.objective
    kpis["engine"] = solution.stats.engine
    kpis["solve_seconds"] = round(solution.stats.wall_seconds, 2)
    return PlanDraft(scope, day, tuple(visits), unassigned, kpis), solution


def store_plan(session: Session, draft: PlanDraft) -> Plan:
    """Store the plan as the next version of its scope and day; earlier versions stay."""
    return PlanRepository(session).add(
        scope=draft.scope,
        plan_date=draft.day,
        visits=list(draft.visits),
        unassigned=list(draft.unassigned),
        kpis=draft.kpis,
    )


def plan_day(
    session: Session,
    *,
    scope: str,
    day: date,
    params: SolveParams,
    travel: TravelProvider | None = None,
) -> Plan:
    """Plan a day for a scope and store it as a new plan version."""
    key, planning = load_planning_problem(session, scope=scope, day=day, travel=travel)
    draft, _ = solve_plan(planning, scope=key, day=day, params=params)
    return store_plan(session, draft)
