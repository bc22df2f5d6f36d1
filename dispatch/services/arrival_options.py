"""An arrival promise at intake (001 §3.1.6): the best ways to fit a call into the day.

The call is fitted into the current published plan of its office (the latest published
plan of the day whose scope covers the office) by insertion, not by a new solve
(``solver.insertion``): every engineer of that scope certified on the call's product line
is tried at every open position of their published route. A position is open after the
stops already under way or done, and after every stop the plan starts before the call
(it is in the past when the call comes in). Each option says who goes, when they arrive,
whether the deadline is met, and whose stops move or become late, and by how much.
Options are ranked by the planner's own objective, one per engineer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from dispatch.domain import Engineer, Ticket, Visit
from dispatch.errors import ConflictError, InvalidInputError, NotFoundError
from dispatch.lifecycle import PLANNABLE_STATUSES
from dispatch.services.planning import offices_in_scope
from dispatch.services.problem_builder import PlanningProblem, build_problem, working_days
from dispatch.store.plan_slices import PlanRef, current_covering, routes_ticket, visits_of
from dispatch.store.repository import EngineerRepository, OfficeRepository, TicketRepository
from dispatch.travel import TravelProvider, default_provider
from solver import insertion
from solver.solution import Route

MAX_OPTIONS = 10


@dataclass(frozen=True, slots=True)
class Change:
    """A stop of the published plan that the option moves (in time or to someone else)."""

    ticket_id: int
    engineer_id: str
    previous_engineer_id: str
    eta_before: datetime
    eta_after: datetime
    minutes_late_before: int
    minutes_late_after: int

    @property
    def minutes_moved(self) -> int:
        return round((self.eta_after - self.eta_before).total_seconds() / 60.0)

    @property
    def becomes_late(self) -> bool:
        return self.minutes_late_before == 0 < self.minutes_late_after


@dataclass(frozen=True, slots=True)
class ArrivalOption:
    """One way to serve the call: who, when, and what it does to the rest of the plan."""

    rank: int
    key: str
    """Send it back to ``assign`` to have exactly this option applied."""
    engineer: Engineer
    sequence: int
    """The call's place on the engineer's route, from 1."""
    eta: datetime
    departure: datetime
    deadline: datetime
    minutes_late: int
    travel_minutes: int
    objective: int
    """The planner's objective of the scope's routes that can take the call, with it."""
    added_cost: int
    """What serving the call this way adds to the objective (planner units)."""
    changes: tuple[Change, ...]

    @property
    def on_time(self) -> bool:
        return self.minutes_late == 0


@dataclass(frozen=True, slots=True)
class OptionsReport:
    ticket: Ticket
    plan: PlanRef
    options: tuple[ArrivalOption, ...]
    engineers_considered: int


@dataclass(frozen=True, slots=True)
class Fitting:
    """The published plan a call is fitted into, as the insertion search sees it."""

    ticket: Ticket
    published: PlanRef
    planning: PlanningProblem | None
    """``None`` when no engineer of the scope is certified on the call's product line."""
    plan: insertion.Plan | None
    visits: dict[int, Visit]
    """The published visits of the candidate engineers, by ticket."""

    @property
    def job_id(self) -> str:
        return str(self.ticket.id)


def minutes_late(eta: datetime, deadline: datetime) -> int:
    return max(0, math.ceil((eta - deadline).total_seconds() / 60.0))


def _plan_for(session: Session, ticket: Ticket, day: date | None) -> PlanRef:
    """The plan of ``day``, or of the call's local day, else of the next working day."""
    office = OfficeRepository(session).get(ticket.office_code)
    if day is None:
        called = ticket.called_at.astimezone(office.calendar.zone()).date()
        days = [called, working_days(office.calendar, called)[0]]
        if days[1] == called:
            days[1] = working_days(office.calendar, called)[1]
    else:
        days = [day]
    for candidate in days:
        plan = current_covering(session, candidate, ticket.office_code)
        if plan is not None:
            return plan
    raise NotFoundError("published plan", f"{ticket.office_code} {days[0].isoformat()}")


def open_ticket(session: Session, ticket_id: int, published: PlanRef | None = None) -> Ticket:
    ticket = TicketRepository(session).get(ticket_id)
    if ticket.status not in PLANNABLE_STATUSES:
        raise ConflictError(
            f"ticket {ticket_id} is {ticket.status.value}: only a call awaiting dispatch "
            "can be given an arrival option"
        )
    if published is not None and routes_ticket(session, published.id, ticket_id):
        raise ConflictError(f"ticket {ticket_id} is already routed in plan {published.id}")
    return ticket


def _minutes(instant: datetime, origin: datetime) -> int:
    return math.floor((instant - origin).total_seconds() / 60.0)


def _routes(visits: Sequence[Visit]) -> dict[str, list[Visit]]:
    routes: dict[str, list[Visit]] = {}
    for visit in sorted(visits, key=lambda v: (v.engineer_id, v.sequence)):
        routes.setdefault(visit.engineer_id, []).append(visit)
    return routes


def fitting(
    session: Session, ticket: Ticket, published: PlanRef, travel: TravelProvider | None = None
) -> Fitting:
    """The candidate engineers' published routes as an insertion problem."""
    offices, _ = offices_in_scope(session, ",".join(published.scope))
    line = ticket.draft.product_line
    engineers = [
        e
        for e in EngineerRepository(session).list()
        if e.office_code in offices and e.is_certified_for(line)
    ]
    if not engineers:
        return Fitting(ticket, published, None, None, {})
    visits = {v.ticket_id: v for v in visits_of(session, published.id, [e.id for e in engineers])}
    tickets = list(TicketRepository(session).get_many(visits).values())
    planning = build_problem(
        day=published.plan_date,
        offices=list(offices.values()),
        engineers=engineers,
        tickets=[*tickets, ticket],
        travel=travel or default_provider(),
    )
    status = {t.id: t.status for t in tickets}
    routes = _routes(list(visits.values()))
    earliest = {
        engineer: 1
        + max(
            (
                i
                for i, v in enumerate(stops)
                if status[v.ticket_id] not in PLANNABLE_STATUSES or v.arrival < ticket.called_at
            ),
            default=-1,
        )
        for engineer, stops in routes.items()
    }
    plan = insertion.Plan(
        planning.problem,
        routes={e: [str(v.ticket_id) for v in stops] for e, stops in routes.items()},
        hold={str(t): _minutes(v.arrival, planning.origin) for t, v in visits.items()},
        earliest=earliest,
        movable=frozenset(
            str(v.ticket_id)
            for e, stops in routes.items()
            for v in stops[earliest[e] :]
            if status[v.ticket_id] in PLANNABLE_STATUSES
        ),
    )
    return Fitting(ticket, published, planning, plan, visits)


def _changes(fit: Fitting, candidate: insertion.Candidate) -> tuple[Change, ...]:
    assert fit.planning is not None
    touched = {candidate.insertion.vehicle_id, *(m.vehicle_id for m in candidate.insertion.moves)}
    changes = []
    for route in candidate.solution.routes:
        if route.vehicle_id not in touched:
            continue
        for stop in route.stops:
            if stop.job_id == fit.job_id:
                continue
            before = fit.visits[int(stop.job_id)]
            engineer = fit.planning.engineers[route.vehicle_id]
            zone = fit.planning.offices[engineer.office_code].calendar.zone()
            after = fit.planning.instant(stop.start).astimezone(zone)
            if after == before.arrival and route.vehicle_id == before.engineer_id:
                continue
            changes.append(
                Change(
                    ticket_id=before.ticket_id,
                    engineer_id=route.vehicle_id,
                    previous_engineer_id=before.engineer_id,
                    eta_before=before.arrival.astimezone(zone),
                    eta_after=after,
                    minutes_late_before=before.minutes_late,
                    minutes_late_after=minutes_late(after, before.deadline),
                )
            )
    return tuple(sorted(changes, key=lambda c: c.ticket_id))


def option_of(
    fit: Fitting, rank: int, candidate: insertion.Candidate, baseline: int
) -> ArrivalOption:
    """The dispatcher's view of one candidate insertion."""
    assert fit.planning is not None
    planning = fit.planning
    vehicle_id = candidate.insertion.vehicle_id
    route = candidate.solution.route_of(vehicle_id)
    assert route is not None
    index = route.job_ids.index(fit.job_id)
    stop = route.stops[index]
    engineer = planning.engineers[vehicle_id]
    zone = planning.offices[engineer.office_code].calendar.zone()
    eta = planning.instant(stop.start).astimezone(zone)
    drop = planning.problem.drop_price(planning.problem.job(fit.job_id))
    return ArrivalOption(
        rank=rank,
        key=candidate.insertion.key,
        engineer=engineer,
        sequence=index + 1,
        eta=eta,
        departure=planning.instant(stop.end).astimezone(zone),
        deadline=fit.ticket.deadline.astimezone(zone),
        minutes_late=minutes_late(eta, fit.ticket.deadline),
        travel_minutes=_travel_to(planning, route, index),
        objective=candidate.objective,
        added_cost=candidate.objective - baseline + drop,
        changes=_changes(fit, candidate),
    )


def _travel_to(planning: PlanningProblem, route: Route, index: int) -> int:
    problem = planning.problem
    vehicle = next(v for v in problem.vehicles if v.id == route.vehicle_id)
    here = problem.job(route.job_ids[index - 1]).location if index else vehicle.start_location
    return int(problem.durations[here, problem.job(route.job_ids[index]).location])


def arrival_options(
    session: Session,
    ticket_id: int,
    *,
    day: date | None = None,
    count: int = 3,
    travel: TravelProvider | None = None,
) -> OptionsReport:
    """The best ``count`` ways to fit an awaiting call into its office's published plan."""
    if not 1 <= count <= MAX_OPTIONS:
        raise InvalidInputError(f"count must be between 1 and {MAX_OPTIONS}, got {count}")
    ticket = open_ticket(session, ticket_id)
    published = _plan_for(session, ticket, day)
    open_ticket(session, ticket_id, published)
    fit = fitting(session, ticket, published, travel)
    if fit.plan is None:
        return OptionsReport(ticket, published, (), 0)
    baseline = fit.plan.baseline(fit.job_id).stats.objective
    found = insertion.options(fit.plan, fit.job_id, count=count)
    options = tuple(option_of(fit, rank, c, baseline) for rank, c in enumerate(found, start=1))
    return OptionsReport(ticket, published, options, len(fit.plan.problem.vehicles))
