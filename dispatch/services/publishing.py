"""Publishing plans, and the routes engineers are shown.

Several plans of a day may be published (a new version, a wider or narrower scope), and
a ticket not done on one day is planned again for a later one. Each ticket belongs to
the latest published plan that mentions it (routed or unassigned), of whatever day, and
an engineer follows the latest published plan of the day whose scope covers their
office, keeping only the tickets that plan still owns, plus the jobs they already
started under an earlier plan of the day (planning leaves started jobs out, so no later
plan owns them). So no ticket is ever in two published routes, whatever days and order
plans are published in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from dispatch.domain import Engineer, Plan, Ticket, TicketStatus, Visit
from dispatch.errors import ConflictError, StaleVersionError
from dispatch.store.plans import ALL_OFFICES
from dispatch.store.publications import (
    Publication,
    days_mentioning,
    owning_plans,
    published_on,
)
from dispatch.store.repository import EngineerRepository, PlanRepository, TicketRepository

UNDERWAY: frozenset[TicketStatus] = frozenset(
    {
        TicketStatus.EN_ROUTE,
        TicketStatus.ON_SITE,
        TicketStatus.FIXED_ON_SITE,
        TicketStatus.CARRIED_BACK,
        TicketStatus.CLOSED,
    }
)
"""Jobs an engineer has started: they stay on that engineer's route whatever is re-planned."""


@dataclass(frozen=True, slots=True)
class PublishResult:
    plan: Plan
    dispatched: tuple[int, ...]
    """Tickets this publication moved to ``dispatched``."""
    released: tuple[int, ...]
    """Dispatched tickets the plan left unassigned, moved back to ``awaiting_dispatch``."""


@dataclass(frozen=True, slots=True)
class Route:
    engineer: Engineer
    plan_id: int | None
    visits: tuple[Visit, ...]


def publish_plan(session: Session, plan_id: int) -> PublishResult:
    """Publish a plan and move its tickets' statuses; publishing again changes nothing.

    A version older than one already published for the same scope and day is refused
    (409): publishing it would silently take the engineers back to an outdated plan.
    The check and the publication are atomic: the versions of the scope and day stay
    locked until the caller's transaction ends, so of two racing publications the
    second sees the first.
    """
    plans = PlanRepository(session)
    candidate = plans.get(plan_id)
    plans.lock_versions(candidate.scope, candidate.plan_date)
    candidate = plans.get(plan_id)
    current = plans.latest(candidate.scope, candidate.plan_date, published_only=True)
    if current is not None and current.version > candidate.version:
        raise ConflictError(
            f"plan {plan_id} is version {candidate.version}, older than the published "
            f"version {current.version} (plan {current.id}) of the same scope and day"
        )
    plan = plans.publish(plan_id)
    tickets = TicketRepository(session)
    dispatched = [
        v.ticket_id
        for v in plan.visits
        if _move(tickets, v.ticket_id, TicketStatus.AWAITING_DISPATCH, TicketStatus.DISPATCHED)
    ]
    released = [
        ticket_id
        for ticket_id, _ in plan.unassigned
        if _move(tickets, ticket_id, TicketStatus.DISPATCHED, TicketStatus.AWAITING_DISPATCH)
    ]
    return PublishResult(plan, tuple(dispatched), tuple(released))


def _move(
    tickets: TicketRepository, ticket_id: int, current: TicketStatus, target: TicketStatus
) -> bool:
    """Move the ticket if it is still in ``current``; a concurrent change is a conflict.

    The whole publication then rolls back and may be retried: an engineer's report that
    raced it is never overwritten.
    """
    ticket = tickets.get(ticket_id)
    if ticket.status is not current:
        return False
    try:
        tickets.change_status(ticket_id, target, expected_version=ticket.version)
    except StaleVersionError as error:
        raise ConflictError(f"ticket {ticket_id} changed while publishing; retry") from error
    return True


def covers(scope: Sequence[str], office_code: str) -> bool:
    return ALL_OFFICES in scope or office_code in scope


def _route_in(session: Session, publications: Sequence[Publication], engineer: Engineer) -> Route:
    """The engineer's stops: those of their current plan that it still owns, plus the
    jobs they already started under an earlier plan (a re-plan leaves those alone)."""
    covering = [p.plan.id for p in publications if covers(p.plan.scope, engineer.office_code)]
    current = covering[-1] if covering else None
    owners = owning_plans(
        session,
        {v.ticket_id for p in publications for v in p.plan.visits if v.engineer_id == engineer.id},
    )
    tickets = TicketRepository(session)
    visits = [
        visit
        for publication in publications
        for visit in publication.plan.visits
        if visit.engineer_id == engineer.id
        and owners.get(visit.ticket_id) == publication.plan.id
        and (publication.plan.id == current or tickets.get(visit.ticket_id).status in UNDERWAY)
    ]
    return Route(engineer, current, tuple(sorted(visits, key=lambda v: (v.arrival, v.sequence))))


def published_route(session: Session, engineer_id: str, day: date) -> Route:
    """The engineer's published stops of ``day`` in order (empty if nothing is published)."""
    engineer = EngineerRepository(session).get(engineer_id)
    return _route_in(session, published_on(session, day), engineer)


def route_tickets(session: Session, route: Route) -> list[Ticket]:
    """The ticket of each stop on the route, in the route's order."""
    tickets = TicketRepository(session)
    return [tickets.get(visit.ticket_id) for visit in route.visits]


def routed_engineer(session: Session, ticket_id: int) -> str | None:
    """The engineer whose current published route holds the ticket, if any."""
    engineers = EngineerRepository(session)
    for day in days_mentioning(session, ticket_id):
        publications = published_on(session, day)
        for visit in (v for p in publications for v in p.plan.visits):
            if visit.ticket_id != ticket_id:
                continue
            route = _route_in(session, publications, engineers.get(visit.engineer_id))
            if any(v.ticket_id == ticket_id for v in route.visits):
                return visit.engineer_id
    return None
