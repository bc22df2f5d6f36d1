"""Reports: office KPIs of a day, engineers' daily work log, dispatch-window compliance.

The daily log follows 004 Art. 15–17: time travelling to and working at a job counts to
the job's kind (A paid, B contract, C free); the rest of the shift is D, internal admin.
Planned hours come from the engineer's published route, actual hours from the times the
engineer reported (leaving for the job to finishing it). A day's log holds the visits that
arrive on that local date in the engineer's office zone: the tentative next-day visits a
plan also carries belong to the next day's log. A visit longer than 2 hours on site is
flagged (``onsite_over_2h``). Compliance counts each rule, the ``72h`` replacement of a
carried-back product included.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from dispatch.domain import DeadlineRule, Ticket, TicketStatus, Visit, WorkKind
from dispatch.errors import InvalidInputError, NotFoundError
from dispatch.services import directory
from dispatch.services.kpis import KpiDict, plan_kpis, shift_minutes, visit_day
from dispatch.services.publishing import covers, published_route
from dispatch.services.tickets import local_call_day
from dispatch.store.publications import published_on
from dispatch.store.repository import TicketRepository

MAX_COMPLIANCE_DAYS = 92
ONSITE_FIX_MINUTES = 120
"""001 §3.1.6: the fault is fixed within 2 hours of arrival; a longer visit is flagged in
the daily log (reported times when the engineer reported them, else the plan's)."""


def office_kpis(session: Session, office_code: str, day: date) -> tuple[int, KpiDict]:
    """KPIs of the office's tickets in the latest published plan covering the office."""
    covering = [p.plan for p in published_on(session, day) if covers(p.plan.scope, office_code)]
    if not covering:
        raise NotFoundError("published plan", f"{office_code} {day.isoformat()}")
    plan = covering[-1]
    tickets = {t.id: t for t in TicketRepository(session).list(office_code=office_code)}
    engineers = directory.engineers(session, office_code)
    office = directory.office(session, office_code)
    kpis = plan_kpis(
        day=day,
        visits=[v for v in plan.visits if v.ticket_id in tickets],
        unassigned=[t for t, _ in plan.unassigned if t in tickets],
        tickets=tickets,
        engineers=engineers,
        offices={office.code: office},
        return_legs={},
    )
    stored = plan.kpis.get("engineers")
    if not isinstance(stored, dict):
        stored = {}
    kpis["engineers"] = {e.id: stored.get(e.id, kpis["engineers"][e.id]) for e in engineers}
    return plan.id, kpis


@dataclass(frozen=True, slots=True)
class DailyLog:
    """An engineer's hours of a day by work kind, as planned and as reported."""

    engineer_id: str
    day: date
    shift_hours: float
    planned: dict[str, float]
    actual: dict[str, float]
    jobs: list[dict[str, Any]] = field(default_factory=list)


def _by_kind(minutes: Iterable[tuple[WorkKind, float]], shift: float) -> dict[str, float]:
    """Hours per kind A-C, and D for the rest of the shift."""
    totals: defaultdict[str, float] = defaultdict(float)
    for kind, spent in minutes:
        totals[kind.value] += spent
    totals[WorkKind.ADMIN.value] = max(0.0, shift - sum(totals.values()))
    return {k.value: round(totals[k.value] / 60.0, 2) for k in WorkKind}


def _minutes(start: datetime | None, end: datetime | None) -> float:
    if start is None or end is None:
        return 0.0
    return max(0.0, (end - start).total_seconds() / 60.0)


def _planned_minutes(visit: Visit) -> float:
    return visit.travel_minutes + _minutes(visit.arrival, visit.departure)


def engineer_daily(session: Session, engineer_id: str, day: date) -> DailyLog:
    """The daily report (004 Art. 15–17) of one engineer for ``day``."""
    engineer, zone = directory.engineer_zone(session, engineer_id)
    repository = TicketRepository(session)
    shift = shift_minutes(engineer, day, zone)
    planned: list[tuple[WorkKind, float]] = []
    actual: list[tuple[WorkKind, float]] = []
    jobs = []
    route = published_route(session, engineer_id, day)
    for visit in (v for v in route.visits if visit_day(v, zone) == day):
        kind = repository.get(visit.ticket_id).draft.kind
        times = repository.actual_times(visit.ticket_id)
        worked = _minutes(times.en_route_at or times.arrived_at, times.finished_at)
        planned.append((kind, _planned_minutes(visit)))
        actual.append((kind, worked))
        on_site = _minutes(times.arrived_at, times.finished_at)
        if not on_site:
            on_site = _minutes(visit.arrival, visit.departure)
        jobs.append(
            {
                "ticket_id": visit.ticket_id,
                "kind": kind.value,
                "planned_hours": round(_planned_minutes(visit) / 60.0, 2),
                "actual_hours": round(worked / 60.0, 2),
                "onsite_hours": round(on_site / 60.0, 2),
                "onsite_over_2h": on_site > ONSITE_FIX_MINUTES,
            }
        )
    return DailyLog(
        engineer_id=engineer.id,
        day=day,
        shift_hours=round(shift / 60.0, 2),
        planned=_by_kind(planned, shift),
        actual=_by_kind(actual, shift),
        jobs=jobs,
    )


@dataclass(slots=True)
class RuleCompliance:
    """Counts for one deadline rule (6 h, 7 h, 36 h)."""

    total: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    """Not reached and the deadline has passed."""
    pending: int = 0
    """Not reached yet, still in time."""


@dataclass(frozen=True, slots=True)
class ComplianceReport:
    rules: dict[str, RuleCompliance]
    misses: list[dict[str, Any]]
    """Tickets reached late or not reached by their deadline, with minutes late."""


def _outcome(ticket: Ticket, arrived_at: datetime | None, now: datetime) -> tuple[str, int]:
    if arrived_at is not None:
        late = max(0, int((arrived_at - ticket.deadline).total_seconds() // 60))
        return ("late", late) if late else ("on_time", 0)
    if ticket.deadline < now:
        return "overdue", int((now - ticket.deadline).total_seconds() // 60)
    return "pending", 0


def _utc_days_around(start: date, end: date) -> tuple[datetime, datetime]:
    """UTC instants that hold every local day from ``start`` to ``end`` in any time zone
    (offsets reach -12 h and +14 h), so the query reads only the tickets near the period;
    the exact local day is checked ticket by ticket."""
    return (
        datetime.combine(start - timedelta(days=1), time.min, UTC),
        datetime.combine(end + timedelta(days=2), time.min, UTC),
    )


def compliance(
    session: Session, offices: Collection[str] | None, start: date, end: date, *, now: datetime
) -> ComplianceReport:
    """Arrivals against the 6 h / 7 h / 36 h rules for calls made from ``start`` to ``end``.

    Days are the offices' local days; cancelled tickets are left out.
    """
    if end < start:
        raise InvalidInputError("to must not be before from", field="to")
    if (end - start).days >= MAX_COMPLIANCE_DAYS:
        raise InvalidInputError(
            f"a compliance report covers at most {MAX_COMPLIANCE_DAYS} days", field="to"
        )
    zones = directory.office_zones(session)
    rules = {rule.value: RuleCompliance() for rule in DeadlineRule}
    misses = []
    called_from, called_to = _utc_days_around(start, end)
    tickets = TicketRepository(session).list_with_times(offices, called_from, called_to)
    for ticket, times in tickets:
        if ticket.status is TicketStatus.CANCELLED:
            continue
        if not start <= local_call_day(ticket, zones) <= end:
            continue
        outcome, minutes = _outcome(ticket, times.arrived_at, now)
        counts = rules[ticket.deadline_rule.value]
        counts.total += 1
        setattr(counts, outcome, getattr(counts, outcome) + 1)
        if outcome in ("late", "overdue"):
            misses.append(
                {
                    "ticket_id": ticket.id,
                    "office": ticket.office_code,
                    "rule": ticket.deadline_rule.value,
                    "outcome": outcome,
                    "minutes_late": minutes,
                }
            )
    return ComplianceReport(rules, misses)
