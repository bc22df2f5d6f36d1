"""The figures every plan carries: on-time per rule, lateness, travel, and engineers' hours.

Work-kind hours follow the engineers' daily log (004 Art. 15–17): the time travelling to
and working at a job counts to the job's kind (A paid, B contract, C free); the rest of
the shift counts as D, internal admin (inspections, parts, tool care, training).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from dispatch.domain import Engineer, Ticket, Visit, WorkKind

KpiDict = dict[str, Any]


def _hours(minutes: float) -> float:
    return round(minutes / 60.0, 2)


def _shift_minutes(engineer: Engineer, day: date) -> float:
    start = datetime.combine(day, engineer.shift_start)
    end = datetime.combine(day, engineer.shift_end)
    return max(0.0, (end - start).total_seconds() / 60.0 - engineer.lunch_minutes)


def _on_time_by_rule(visits: Sequence[Visit], tickets: dict[int, Ticket]) -> KpiDict:
    on_time: Counter[str] = Counter()
    late: Counter[str] = Counter()
    for visit in visits:
        rule = tickets[visit.ticket_id].deadline_rule.value
        (on_time if visit.on_time else late)[rule] += 1
    rules = sorted(set(on_time) | set(late))
    return {rule: {"on_time": on_time[rule], "late": late[rule]} for rule in rules}


def _engineer_kpis(
    engineer: Engineer,
    visits: Sequence[Visit],
    tickets: dict[int, Ticket],
    day: date,
    return_minutes: float,
) -> KpiDict:
    by_kind: defaultdict[str, float] = defaultdict(float)
    travel = return_minutes
    for visit in visits:
        onsite = (visit.departure - visit.arrival).total_seconds() / 60.0
        by_kind[tickets[visit.ticket_id].draft.kind.value] += visit.travel_minutes + onsite
        travel += visit.travel_minutes
    worked = sum(by_kind.values()) + return_minutes
    shift = _shift_minutes(engineer, day)
    by_kind[WorkKind.ADMIN.value] = max(0.0, shift - worked)
    return {
        "jobs": len(visits),
        "travel_hours": _hours(travel),
        "onsite_hours": _hours(worked - travel),
        "utilisation": round(worked / shift, 3) if shift else 0.0,
        "overtime_minutes": round(max(0.0, worked - shift)),
        "hours_by_kind": {k.value: _hours(by_kind[k.value]) for k in WorkKind},
    }


def plan_kpis(
    *,
    day: date,
    visits: Sequence[Visit],
    unassigned: Sequence[int],
    tickets: dict[int, Ticket],
    engineers: Sequence[Engineer],
    return_legs: dict[str, tuple[float, float]],
) -> KpiDict:
    """KPIs of one plan. ``return_legs`` maps an engineer to (minutes, km) back home."""
    by_engineer: defaultdict[str, list[Visit]] = defaultdict(list)
    for visit in visits:
        by_engineer[visit.engineer_id].append(visit)
    late = [v for v in visits if not v.on_time]
    travel_km = sum(v.travel_km for v in visits) + sum(km for _, km in return_legs.values())
    travel_min = sum(v.travel_minutes for v in visits) + sum(m for m, _ in return_legs.values())
    return {
        "jobs": len(visits) + len(unassigned),
        "assigned": len(visits),
        "on_time": len(visits) - len(late),
        "late": [{"ticket_id": v.ticket_id, "minutes_late": v.minutes_late} for v in late],
        "unassigned": len(unassigned),
        "on_time_by_rule": _on_time_by_rule(visits, tickets),
        "travel_km": round(travel_km, 1),
        "travel_hours": _hours(travel_min),
        "onsite_hours": _hours(
            sum((v.departure - v.arrival).total_seconds() / 60.0 for v in visits)
        ),
        "engineers": {
            e.id: _engineer_kpis(
                e, by_engineer[e.id], tickets, day, return_legs.get(e.id, (0.0, 0.0))[0]
            )
            for e in engineers
        },
    }
