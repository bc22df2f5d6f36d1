"""Emergency re-planning of a running day (SPEC §6).

What is done stays done; whoever is on site stays there and finishes; whoever is on the
road keeps their destination; everything else is re-planned from now, with a price on
changing an engineer's next stop so an emergency moves as few people as it must.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from dispatch.domain import GeoPoint, Plan, Ticket, TicketStatus
from dispatch.lifecycle import PLANNABLE_STATUSES
from dispatch.services.planning import (
    day_end,
    offices_in_scope,
    solve_plan,
    store_plan,
)
from dispatch.services.problem_builder import RunningDay, build_problem
from dispatch.store.repository import EngineerRepository, PlanRepository, TicketRepository
from dispatch.travel import TravelProvider, default_provider
from solver import SolveParams

IN_PROGRESS = frozenset({TicketStatus.EN_ROUTE, TicketStatus.ON_SITE})


@dataclass(frozen=True, slots=True)
class ReplanReport:
    """The new plan version and whose next stop it changes against the published plan."""

    plan: Plan
    changed_engineers: tuple[str, ...]
    previous_plan_id: int | None


def _remaining_routes(published: Plan | None, open_ids: set[int]) -> dict[str, list[int]]:
    """Per engineer, the published stops not yet finished, in order."""
    routes: dict[str, list[int]] = {}
    if published is None:
        return routes
    for visit in sorted(published.visits, key=lambda v: (v.engineer_id, v.sequence)):
        if visit.ticket_id in open_ids:
            routes.setdefault(visit.engineer_id, []).append(visit.ticket_id)
    return routes


def _running_day(
    session: Session,
    *,
    as_of: datetime,
    in_progress: list[Ticket],
    published: Plan | None,
    open_ids: set[int],
) -> RunningDay:
    tickets = TicketRepository(session)
    routes = _remaining_routes(published, open_ids)
    owner = {tid: engineer for engineer, ids in routes.items() for tid in ids}
    positions: dict[str, GeoPoint] = {}
    first_stops: dict[str, int] = {}
    remaining: dict[int, int] = {}
    for ticket in in_progress:
        engineer = owner.get(ticket.id)
        if engineer is None:
            continue
        first_stops[engineer] = ticket.id
        if ticket.status is TicketStatus.ON_SITE:
            positions[engineer] = ticket.draft.site
            arrived = tickets.actual_times(ticket.id).arrived_at or as_of
            worked = max(timedelta(0), as_of - arrived)
            left = ticket.draft.onsite_minutes - int(worked.total_seconds() // 60)
            remaining[ticket.id] = max(0, left)
    return RunningDay(
        as_of=as_of,
        positions=positions,
        first_stops=first_stops,
        remaining_minutes=remaining,
        previous_routes={e: tuple(ids) for e, ids in routes.items()},
    )


def changed_next_stops(previous: dict[str, tuple[int, ...]], plan: Plan) -> tuple[str, ...]:
    """Engineers whose next stop differs from the one the published plan gave them."""
    new_first: dict[str, int] = {}
    for visit in sorted(plan.visits, key=lambda v: v.sequence):
        new_first.setdefault(visit.engineer_id, visit.ticket_id)
    engineers = set(previous) | set(new_first)
    return tuple(
        sorted(e for e in engineers if (previous.get(e) or (None,))[0] != new_first.get(e))
    )


def replan(
    session: Session,
    *,
    scope: str,
    day: date,
    as_of: datetime,
    params: SolveParams,
    travel: TravelProvider | None = None,
) -> ReplanReport:
    """Re-plan the running day of a scope from ``as_of`` and store it as a new version."""
    chosen, codes = offices_in_scope(session, scope)
    engineers = [e for e in EngineerRepository(session).list() if e.office_code in chosen]
    published = PlanRepository(session).latest(codes, day, published_only=True)
    statuses = PLANNABLE_STATUSES | IN_PROGRESS
    candidates = TicketRepository(session).list(
        office_code=set(chosen), status=statuses, called_to=day_end(day, list(chosen.values()))
    )
    open_ids = {t.id for t in candidates}
    in_progress = [t for t in candidates if t.status in IN_PROGRESS]
    running = _running_day(
        session, as_of=as_of, in_progress=in_progress, published=published, open_ids=open_ids
    )
    pinned = set(running.first_stops.values())
    tickets = [t for t in candidates if t.status in PLANNABLE_STATUSES or t.id in pinned]
    planning = build_problem(
        day=day,
        offices=list(chosen.values()),
        engineers=engineers,
        tickets=sorted(tickets, key=lambda t: t.id),
        travel=travel or default_provider(),
        running=running,
    )
    draft, _ = solve_plan(planning, scope=codes, day=day, params=params)
    plan = store_plan(session, draft)
    changed = changed_next_stops(dict(running.previous_routes), plan)
    return ReplanReport(plan, changed, published.id if published else None)
