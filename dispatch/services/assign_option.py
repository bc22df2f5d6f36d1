"""Take one arrival option: a new plan version that differs from the published one only
by that insertion (and the stops its repair moves), for the dispatcher to publish.

The option is named by the key ``arrival_options`` gave it and the id of the published
plan it was computed on. It is applied again exactly, never searched for anew: if that
plan is no longer the current one, or the option no longer fits, the answer is a 409.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy.orm import Session

from dispatch.domain import Engineer, GeoPoint, Office, Plan, Ticket, Visit
from dispatch.errors import ConflictError, InvalidInputError
from dispatch.services.arrival_options import (
    ArrivalOption,
    Fitting,
    fitting,
    open_ticket,
    option_of,
)
from dispatch.services.kpis import KpiDict, plan_kpis
from dispatch.services.planning import _route_visits, offices_in_scope
from dispatch.store.plan_slices import PlanRef, current_covering
from dispatch.store.repository import EngineerRepository, PlanRepository, TicketRepository
from dispatch.travel import TravelProvider, default_provider
from solver import insertion


def _current(session: Session, plan_id: int, office_code: str) -> Plan:
    """The plan, if it is still the current published plan of the office's day."""
    plan = PlanRepository(session).get(plan_id)
    current = current_covering(session, plan.plan_date, office_code)
    if current is None or current.id != plan.id:
        now = f"plan {current.id}" if current is not None else "no plan"
        raise ConflictError(
            f"plan {plan_id} is not the current published plan of {office_code} on "
            f"{plan.plan_date.isoformat()} ({now} is); ask for options again"
        )
    return plan


def assign_option(
    session: Session,
    ticket_id: int,
    *,
    plan_id: int,
    key: str,
    travel: TravelProvider | None = None,
) -> tuple[Plan, ArrivalOption]:
    """Store the published plan with option ``key`` applied, as its next (unpublished) version."""
    try:
        chosen = insertion.Insertion.parse(key)
    except ValueError as error:
        raise InvalidInputError(str(error), field="option") from None
    ticket = open_ticket(session, ticket_id)
    published = _current(session, plan_id, ticket.office_code)
    open_ticket(session, ticket_id, PlanRef.of(published))
    travel = travel or default_provider()
    fit = fitting(session, ticket, PlanRef.of(published), travel)
    if fit.plan is None or fit.planning is None or chosen.vehicle_id not in fit.planning.engineers:
        raise InvalidInputError(
            f"engineer {chosen.vehicle_id!r} cannot take ticket {ticket_id}: not in the plan's "
            f"scope or not certified on {ticket.draft.product_line}"
        )
    candidate = fit.plan.with_insertion(fit.job_id, chosen)
    if candidate is None:
        raise ConflictError(f"option {key} no longer fits plan {plan_id}; ask for options again")
    baseline = fit.plan.baseline(fit.job_id).stats.objective
    option = option_of(fit, 1, candidate, baseline)
    plan = _store(session, fit, published, candidate, option, travel)
    return plan, option


def _store(
    session: Session,
    fit: Fitting,
    published: Plan,
    candidate: insertion.Candidate,
    option: ArrivalOption,
    travel: TravelProvider,
) -> Plan:
    assert fit.planning is not None
    touched = {r.vehicle_id for r in candidate.solution.routes} & {
        candidate.insertion.vehicle_id,
        *(m.vehicle_id for m in candidate.insertion.moves),
    }
    visits = [v for v in published.visits if v.engineer_id not in touched]
    legs: dict[str, tuple[float, float]] = {}
    for route in candidate.solution.routes:
        if route.vehicle_id in touched:
            route_visits, minutes, km = _route_visits(fit.planning, route)
            visits.extend(route_visits)
            legs[route.vehicle_id] = (minutes, km)
    offices, _ = offices_in_scope(session, ",".join(published.scope))
    engineers = [e for e in EngineerRepository(session).list() if e.office_code in offices]
    unassigned = [(t, why) for t, why in published.unassigned if t != fit.ticket.id]
    ids = {v.ticket_id for v in visits} | {t for t, _ in unassigned}
    tickets = TicketRepository(session).get_many(ids)
    others = [e for e in engineers if e.id not in touched]
    sites = {t.id: t.draft.site for t in tickets.values()}
    legs |= _return_legs(visits, others, offices, sites, travel)
    kpis = _kpis(fit, published, tickets, visits, unassigned, engineers, offices, legs)
    kpis["objective"] = _objective(published.kpis.get("objective"), option.added_cost)
    kpis["inserted"] = {
        "ticket_id": fit.ticket.id,
        "option": option.key,
        "from_plan": published.id,
        "added_cost": option.added_cost,
    }
    return PlanRepository(session).add(
        published.scope, published.plan_date, visits=visits, unassigned=unassigned, kpis=kpis
    )


def _objective(published: object, added: int) -> int | None:
    return published + added if isinstance(published, int) else None


def _kpis(
    fit: Fitting,
    published: Plan,
    tickets: Mapping[int, Ticket],
    visits: Sequence[Visit],
    unassigned: Sequence[tuple[int, str]],
    engineers: Sequence[Engineer],
    offices: Mapping[str, Office],
    legs: Mapping[str, tuple[float, float]],
) -> KpiDict:
    kpis = plan_kpis(
        day=published.plan_date,
        visits=visits,
        unassigned=[t for t, _ in unassigned],
        tickets=tickets,
        engineers=engineers,
        offices=offices,
        return_legs=legs,
    )
    reasons = published.kpis.get("reasons")
    if isinstance(reasons, dict):
        kpis["reasons"] = {k: v for k, v in reasons.items() if k != fit.job_id}
    kpis["engine"] = "insertion"
    return kpis


def _return_legs(
    visits: Iterable[Visit],
    engineers: Sequence[Engineer],
    offices: Mapping[str, Office],
    sites: Mapping[int, GeoPoint],
    travel: TravelProvider,
) -> dict[str, tuple[float, float]]:
    """(minutes, km) from each engineer's last stop back to their office."""
    last: dict[str, Visit] = {}
    for visit in visits:
        if visit.engineer_id not in last or visit.sequence > last[visit.engineer_id].sequence:
            last[visit.engineer_id] = visit
    routed = [e for e in engineers if e.id in last]
    if not routed:
        return {}
    points = [offices[e.office_code].location for e in routed]
    points += [sites[last[e.id].ticket_id] for e in routed]
    matrix = travel.matrix(points)
    n = len(routed)
    return {
        e.id: (
            float(math.ceil(int(matrix.durations_s[n + i, i]) / 60.0)),
            int(matrix.distances_m[n + i, i]) / 1000.0,
        )
        for i, e in enumerate(routed)
    }
