"""Replay: plan past days again from the calls in the store, as they came in.

Each working day from ``start`` to ``end`` is planned in turn, nationwide, from the calls
made since ``start`` up to the end of that day that the replay has not yet served. A
visit arriving on the planning day (local date of the engineer's office) is served; what
the plan puts on the next working day, or leaves unassigned, is carried over to the next
day's plan (004 Art. 18), where it weighs more. The store is only read: a replay is a
what-if (with ``extra`` engineers, say) and stores no plan and changes no ticket.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from dispatch.domain import Engineer, Office, Ticket, TicketStatus, Visit
from dispatch.errors import InvalidInputError, NotFoundError
from dispatch.services.kpis import visit_day
from dispatch.services.planning import PlanDraft, day_end, solve_plan
from dispatch.services.problem_builder import build_problem
from dispatch.services.replay_figures import Figures
from dispatch.store.plans import ALL_OFFICES
from dispatch.store.repository import EngineerRepository, OfficeRepository, TicketRepository
from dispatch.travel import TravelProvider, default_provider
from solver import SolveParams

MAX_REPLAY_DAYS = 92


@dataclass(frozen=True, slots=True)
class ExtraEngineer:
    """An engineer the replay adds: ``SH:ups-power`` or ``SH:ups-power+servers``."""

    office_code: str
    skills: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> ExtraEngineer:
        office, sep, lines = text.partition(":")
        skills = frozenset(line.strip() for line in lines.split("+") if line.strip())
        if not sep or not office.strip() or not skills:
            raise InvalidInputError(f"--add-engineer must be OFFICE:LINE[+LINE...], got {text!r}")
        return cls(office.strip().upper(), skills)


@dataclass(frozen=True, slots=True)
class ReplayDay:
    day: date
    planned: int
    """Calls in the day's plan (new and carried over)."""
    served: int
    carried_over: int
    offices: dict[str, Figures]
    total: Figures


@dataclass(frozen=True, slots=True)
class ReplayReport:
    start: date
    end: date
    engineers: int
    days: list[ReplayDay] = field(default_factory=list)
    offices: dict[str, Figures] = field(default_factory=dict)
    total: Figures = field(default_factory=Figures)
    open_at_end: int = 0
    """Calls of the period no replayed day reached."""
    overdue_at_end: int = 0
    """Of those, the ones whose deadline had passed at the end of the last day."""


def _staff(
    session: Session, offices: Sequence[Office], extra: Sequence[ExtraEngineer]
) -> list[Engineer]:
    engineers = EngineerRepository(session).list()
    codes = {o.code for o in offices}
    known = frozenset().union(*(e.skills for e in engineers))
    for number, wanted in enumerate(extra, start=1):
        if wanted.office_code not in codes:
            raise NotFoundError("office", wanted.office_code)
        unknown = sorted(wanted.skills - known)
        if unknown:
            raise InvalidInputError(f"unknown product line {', '.join(unknown)}")
        engineers.append(
            Engineer(
                id=f"X{number:02d}",
                name=f"added engineer {number} ({wanted.office_code})",
                office_code=wanted.office_code,
                skills=wanted.skills,
            )
        )
    return engineers


def _days(start: date, end: date, offices: Sequence[Office]) -> list[date]:
    if end < start:
        raise InvalidInputError("--to must not be before --from")
    if (end - start).days >= MAX_REPLAY_DAYS:
        raise InvalidInputError(f"a replay covers at most {MAX_REPLAY_DAYS} days")
    every = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    return [d for d in every if any(o.calendar.is_working_day(d) for o in offices)]


def _served_today(
    draft: PlanDraft, day: date, engineers: dict[str, Engineer], offices: dict[str, Office]
) -> list[Visit]:
    return [
        v
        for v in draft.visits
        if visit_day(v, offices[engineers[v.engineer_id].office_code].calendar.zone()) <= day
    ]


def replay(
    session: Session,
    *,
    start: date,
    end: date,
    extra: Sequence[ExtraEngineer] = (),
    seconds: float = 2.0,
    solution_limit: int | None = None,
    travel: TravelProvider | None = None,
    on_day: Callable[[ReplayDay], None] | None = None,
) -> ReplayReport:
    """Replay the working days from ``start`` to ``end``; see the module docstring.

    Each day is solved for ``seconds``; with ``solution_limit`` the search stops after
    that many solutions instead (within ``seconds``), which makes a replay repeatable
    and independent of the machine's load (``bench/staffing.py``).
    """
    offices = OfficeRepository(session).list()
    by_code = {o.code: o for o in offices}
    days = _days(start, end, offices)
    engineers = _staff(session, offices, extra)
    by_id = {e.id: e for e in engineers}
    first = min(datetime.combine(start, time(0), tzinfo=o.calendar.zone()) for o in offices)
    calls = [
        t
        for t in TicketRepository(session).list(called_from=first, called_to=day_end(end, offices))
        if t.status is not TicketStatus.CANCELLED
    ]
    travel = travel or default_provider()
    params = SolveParams(time_limit_s=seconds, workers=1, solution_limit=solution_limit)
    report = ReplayReport(start, end, len(engineers))
    served: set[int] = set()
    for day in days:
        cutoff = day_end(day, offices)
        todo = sorted((t for t in calls if t.called_at < cutoff and t.id not in served), key=_id)
        planning = build_problem(
            day=day, offices=offices, engineers=engineers, tickets=todo, travel=travel
        )
        draft, _ = solve_plan(planning, scope=(ALL_OFFICES,), day=day, params=params)
        visits = _served_today(draft, day, by_id, by_code)
        tickets = {t.id: t for t in todo}
        result = _day_figures(day, draft, visits, tickets, by_id, len(todo))
        served |= {v.ticket_id for v in visits}
        report.days.append(result)
        _accumulate(report, result)
        if on_day is not None:
            on_day(result)
    left = [t for t in calls if t.id not in served]
    last = day_end(end, offices)
    return _closed(report, len(left), sum(t.deadline < last for t in left))


def _id(ticket: Ticket) -> int:
    return ticket.id


def _day_figures(
    day: date,
    draft: PlanDraft,
    visits: Sequence[Visit],
    tickets: dict[int, Ticket],
    engineers: dict[str, Engineer],
    planned: int,
) -> ReplayDay:
    by_office: dict[str, Figures] = {}
    total = Figures()
    for visit in visits:
        ticket = tickets[visit.ticket_id]
        for figures in (by_office.setdefault(ticket.office_code, Figures()), total):
            figures.add_visit(ticket.deadline_rule.value, visit)
    hours = draft.kpis.get("engineers", {})
    for engineer_id, figures_of_day in hours.items():
        office = engineers[engineer_id].office_code
        for figures in (by_office.setdefault(office, Figures()), total):
            figures.add_engineer_day(figures_of_day)
    return ReplayDay(day, planned, len(visits), planned - len(visits), by_office, total)


def _accumulate(report: ReplayReport, result: ReplayDay) -> None:
    for code, figures in result.offices.items():
        report.offices.setdefault(code, Figures()).merge(figures)
    report.total.merge(result.total)


def _closed(report: ReplayReport, left: int, overdue: int) -> ReplayReport:
    return ReplayReport(
        report.start,
        report.end,
        report.engineers,
        report.days,
        dict(sorted(report.offices.items())),
        report.total,
        left,
        int(overdue),
    )
