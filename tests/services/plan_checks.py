"""An independent check of a stored plan, in the domain's terms.

It shares nothing with the solver or the problem builder: travel comes straight from the
travel provider, times from the visits, rules from the tickets and engineers.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta

from dispatch.domain import Engineer, Office, Plan, Ticket, Visit
from dispatch.travel import TravelProvider


def plan_problems(
    plan: Plan,
    *,
    tickets: Mapping[int, Ticket],
    engineers: Mapping[str, Engineer],
    offices: Mapping[str, Office],
    travel: TravelProvider,
) -> list[str]:
    """Every way the plan breaks a rule; empty when it is sound."""
    problems: list[str] = []
    seen: set[int] = set()
    routes: defaultdict[str, list[Visit]] = defaultdict(list)
    for visit in plan.visits:
        if visit.ticket_id in seen:
            problems.append(f"ticket {visit.ticket_id} visited twice")
        seen.add(visit.ticket_id)
        routes[visit.engineer_id].append(visit)
    unassigned = {ticket_id for ticket_id, _ in plan.unassigned}
    if seen & unassigned:
        problems.append(f"tickets both visited and unassigned: {sorted(seen & unassigned)}")
    for engineer_id, visits in routes.items():
        engineer = engineers[engineer_id]
        home = offices[engineer.office_code]
        shift_start = datetime.combine(
            plan.plan_date, engineer.shift_start, tzinfo=home.calendar.zone()
        )
        problems += _route_problems(engineer, home, visits, tickets, travel, shift_start)
    return problems


def _route_problems(
    engineer: Engineer,
    home: Office,
    visits: list[Visit],
    tickets: Mapping[int, Ticket],
    travel: TravelProvider,
    shift_start: datetime,
) -> list[str]:
    problems: list[str] = []
    ordered = sorted(visits, key=lambda v: v.sequence)
    where = engineer.location or home.location
    free_at = shift_start
    for visit in ordered:
        ticket = tickets[visit.ticket_id]
        site = ticket.draft.site
        name = f"{engineer.id} ticket {ticket.id}"
        if not engineer.is_certified_for(ticket.draft.product_line):
            problems.append(f"{name}: not certified on {ticket.draft.product_line}")
        if visit.arrival < ticket.called_at:
            problems.append(f"{name}: arrives before the call")
        if visit.departure - visit.arrival != timedelta(minutes=ticket.draft.onsite_minutes):
            problems.append(f"{name}: on-site time is not the ticket's estimate")
        if visit.on_time != (visit.arrival <= visit.deadline) or visit.deadline != ticket.deadline:
            problems.append(f"{name}: on-time flag or deadline disagrees with the ticket")
        seconds = int(travel.matrix([where, site]).durations_s[0, 1])
        if visit.arrival < free_at + timedelta(minutes=math.ceil(seconds / 60)):
            problems.append(f"{name}: arrives before the engineer could get there")
        free_at, where = visit.departure, site
    return problems
