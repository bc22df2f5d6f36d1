"""A stored plan as a document: routes per engineer, unassigned tickets, KPIs.

The one shape the CLI prints with ``--json`` and the API returns; times are ISO 8601 in
the office's time zone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dispatch.domain import Engineer, Office, Plan, Ticket, Visit

Document = dict[str, Any]


def _iso(instant: datetime, zone: str) -> str:
    return instant.astimezone(ZoneInfo(zone)).isoformat(timespec="minutes")


def _stop(visit: Visit, ticket: Ticket, zone: str) -> Document:
    draft = ticket.draft
    return {
        "sequence": visit.sequence,
        "ticket_id": visit.ticket_id,
        "arrival": _iso(visit.arrival, zone),
        "departure": _iso(visit.departure, zone),
        "deadline": _iso(visit.deadline, zone),
        "deadline_rule": ticket.deadline_rule.value,
        "on_time": visit.on_time,
        "minutes_late": visit.minutes_late,
        "office": draft.office_code,
        "customer": draft.customer,
        "address": draft.address,
        "latitude": draft.site.latitude,
        "longitude": draft.site.longitude,
        "product_line": draft.product_line,
        "fault": draft.fault,
        "emergency": draft.emergency,
        "travel_minutes": visit.travel_minutes,
        "travel_km": visit.travel_km,
    }


def plan_document(
    plan: Plan,
    *,
    tickets: Mapping[int, Ticket],
    engineers: Mapping[str, Engineer],
    offices: Mapping[str, Office],
) -> Document:
    """The plan as ``{"plan_id", "version", "routes", "unassigned", "kpis", ...}``."""
    by_engineer: defaultdict[str, list[Visit]] = defaultdict(list)
    for visit in plan.visits:
        by_engineer[visit.engineer_id].append(visit)
    in_scope = sorted(
        e.id for e in engineers.values() if "ALL" in plan.scope or e.office_code in plan.scope
    )
    routes = []
    for engineer_id in in_scope:
        engineer = engineers[engineer_id]
        zone = offices[engineer.office_code].timezone
        visits = sorted(by_engineer.get(engineer_id, []), key=lambda v: v.sequence)
        routes.append(
            {
                "engineer_id": engineer_id,
                "engineer": engineer.name,
                "office": engineer.office_code,
                "stops": [_stop(v, tickets[v.ticket_id], zone) for v in visits],
            }
        )
    return {
        "plan_id": plan.id,
        "version": plan.version,
        "scope": list(plan.scope),
        "date": plan.plan_date.isoformat(),
        "published": plan.published,
        "routes": routes,
        "unassigned": [{"ticket_id": t, "reason": why} for t, why in plan.unassigned],
        "kpis": plan.kpis,
    }
