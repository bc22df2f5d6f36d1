"""The figures every plan carries: on-time per rule, lateness, travel, and engineers' hours.

Work-kind hours follow the engineers' daily log (004 Art. 15–17): the time travelling to
and working at a job counts to the job's kind (A paid, B contract, C free); the rest of
the shift counts as D, internal admin (inspections, parts, tool care, training).

A plan covers its working day and, tentatively, the next working day (jobs that cannot be
served today go into the next morning). The plan-wide figures count every visit of the
plan; an engineer's figures are per day, because a daily log and a shift are: the
planning day's figures sit directly under the engineer, the next working day's under
``next_day``. A visit counts on the local date of its arrival in the engineer's office
time zone; the way back home counts on the day the route ends.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dispatch.domain import Engineer, Office, Ticket, Visit, WorkKind
from dispatch.services.problem_builder import working_days

KpiDict = dict[str, Any]


def _hours(minutes: float) -> float:
    return round(minutes / 60.0, 2)


def _onsite_minutes(visit: Visit) -> float:
    return (visit.departure - visit.arrival).total_seconds() / 60.0


def shift_minutes(engineer: Engineer, day: date, zone: ZoneInfo) -> float:
    """The engineer's working minutes on ``day``: the shift less lunch, DST-aware."""
    start = datetime.combine(day, engineer.shift_start, zone).astimezone(UTC)
    end = datetime.combine(day, engineer.shift_end, zone).astimezone(UTC)
    return max(0.0, (end - start).total_seconds() / 60.0 - engineer.lunch_minutes)


def visit_day(visit: Visit, zone: ZoneInfo) -> date:
    """The local date of the visit's arrival in ``zone`` (the engineer's office zone)."""
    return visit.arrival.astimezone(zone).date()


def _on_time_by_rule(visits: Sequence[Visit], tickets: Mapping[int, Ticket]) -> KpiDict:
    on_time: Counter[str] = Counter()
    late: Counter[str] = Counter()
    for visit in visits:
        rule = tickets[visit.ticket_id].deadline_rule.value
        (on_time if visit.on_time else late)[rule] += 1
    rules = sorted(set(on_time) | set(late))
    return {rule: {"on_time": on_time[rule], "late": late[rule]} for rule in rules}


def _day_kpis(
    visits: Sequence[Visit],
    tickets: Mapping[int, Ticket],
    day: date,
    shift: float,
    return_minutes: float,
) -> KpiDict:
    """One engineer's figures of one day; utilisation and overtime against that day's shift."""
    by_kind: defaultdict[str, float] = defaultdict(float)
    travel = return_minutes
    for visit in visits:
        kind = tickets[visit.ticket_id].draft.kind.value
        by_kind[kind] += visit.travel_minutes + _onsite_minutes(visit)
        travel += visit.travel_minutes
    worked = sum(by_kind.values()) + return_minutes
    by_kind[WorkKind.ADMIN.value] = max(0.0, shift - worked)
    return {
        "date": day.isoformat(),
        "jobs": len(visits),
        "travel_hours": _hours(travel),
        "onsite_hours": _hours(worked - travel),
        "utilisation": round(worked / shift, 3) if shift else 0.0,
        "overtime_minutes": round(max(0.0, worked - shift)),
        "hours_by_kind": {k.value: _hours(by_kind[k.value]) for k in WorkKind},
    }


def _route_end_day(visits: Sequence[Visit], return_minutes: float, zone: ZoneInfo) -> date | None:
    """The local date the engineer gets home: last departure plus the way back."""
    if not visits:
        return None
    last = max(visit.departure for visit in visits)
    return (last + timedelta(minutes=return_minutes)).astimezone(zone).date()


def _engineer_kpis(
    engineer: Engineer,
    office: Office,
    visits: Sequence[Visit],
    tickets: Mapping[int, Ticket],
    day: date,
    return_minutes: float,
) -> KpiDict:
    """The planning day's figures, with the next working day's under ``next_day``.

    A visit (or the way home) dated on or before the planning day counts to it, anything
    later to the next working day: a plan holds no third day.
    """
    zone = office.calendar.zone()
    today, tomorrow = working_days(office.calendar, day)
    first = [v for v in visits if visit_day(v, zone) <= today]
    second = [v for v in visits if visit_day(v, zone) > today]
    end = _route_end_day(visits, return_minutes, zone)
    back_today = return_minutes if end is None or end <= today else 0.0
    figures = _day_kpis(first, tickets, today, shift_minutes(engineer, today, zone), back_today)
    figures["next_day"] = _day_kpis(
        second,
        tickets,
        tomorrow,
        shift_minutes(engineer, tomorrow, zone),
        return_minutes - back_today,
    )
    return figures


def plan_kpis(
    *,
    day: date,
    visits: Sequence[Visit],
    unassigned: Sequence[int],
    tickets: Mapping[int, Ticket],
    engineers: Sequence[Engineer],
    offices: Mapping[str, Office],
    return_legs: Mapping[str, tuple[float, float]],
) -> KpiDict:
    """KPIs of one plan. ``return_legs`` maps an engineer to (minutes, km) back home;
    ``offices`` by code must hold every engineer's home office (its zone and calendar)."""
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
        "onsite_hours": _hours(sum(_onsite_minutes(v) for v in visits)),
        "engineers": {
            e.id: _engineer_kpis(
                e,
                offices[e.office_code],
                by_engineer[e.id],
                tickets,
                day,
                return_legs.get(e.id, (0.0, 0.0))[0],
            )
            for e in engineers
        },
    }
