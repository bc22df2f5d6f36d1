"""A stored plan as one typed document: routes per engineer, unassigned tickets, KPIs.

The one shape the CLI prints (``--json`` dumps it), the board and the engineer's page
render, and the API can serve (``from_attributes``). Times are aware datetimes in the
engineer's office time zone, dumped as ISO 8601 to the minute.

The KPIs are stored with the plan as plain JSON (``dispatch.services.kpis`` and
``planning.solve_plan`` write them); here they are read back once, checked against
these models, so no reader looks a figure up by string key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer
from sqlalchemy.orm import Session

from dispatch.domain import Engineer, Office, Plan, Ticket, Visit
from dispatch.services.problem_builder import working_days
from dispatch.store.repository import (
    EngineerRepository,
    OfficeRepository,
    PlanRepository,
    TicketRepository,
)

LocalTime = Annotated[
    datetime,
    PlainSerializer(lambda t: t.isoformat(timespec="minutes"), return_type=str, when_used="json"),
]
"""An instant in an office's zone, dumped as ``2026-03-02T09:30+08:00``."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)


class DayFigures(_Frozen):
    """One engineer's figures of one working day (their daily log's view)."""

    date: date
    jobs: int
    travel_hours: float
    onsite_hours: float
    utilisation: float
    overtime_minutes: int
    hours_by_kind: dict[str, float]
    """Hours per work kind A (paid), B (contract), C (free), D (internal admin)."""


class EngineerFigures(DayFigures):
    next_day: DayFigures | None = None
    """The tentative next working day's figures."""


class RuleCount(_Frozen):
    on_time: int
    late: int


class LateVisit(_Frozen):
    ticket_id: int
    minutes_late: int


class Reason(_Frozen):
    """Why a ticket is unassigned or late, in the dispatcher's words."""

    code: str
    message: str
    figures: dict[str, Any] = Field(default_factory=dict)


class Kpis(_Frozen):
    """A plan's figures; a plan stored without them (made by hand) reads as all zero."""

    jobs: int = 0
    assigned: int = 0
    on_time: int = 0
    late: list[LateVisit] = Field(default_factory=list)
    unassigned: int = 0
    on_time_by_rule: dict[str, RuleCount] = Field(default_factory=dict)
    travel_km: float = 0.0
    travel_hours: float = 0.0
    onsite_hours: float = 0.0
    engineers: dict[str, EngineerFigures] = Field(default_factory=dict)
    reasons: dict[int, Reason] = Field(default_factory=dict)
    objective: float | None = None
    engine: str | None = None
    solve_seconds: float | None = None
    warnings: list[str] = Field(default_factory=list)
    """Days the plan touches that the holiday source does not cover yet (``docs/rules.md``)."""


class Stop(_Frozen):
    sequence: int
    ticket_id: int
    arrival: LocalTime
    departure: LocalTime
    deadline: LocalTime
    called_at: LocalTime
    deadline_rule: str
    on_time: bool
    minutes_late: int
    office: str
    customer: str
    phone: str
    address: str
    latitude: float
    longitude: float
    product_line: str
    product_model: str
    fault: str
    emergency: bool
    status: str
    ticket_version: int
    travel_minutes: int
    travel_km: float


class RouteDocument(_Frozen):
    engineer_id: str
    engineer: str
    office: str
    timezone: str
    days: tuple[date, date]
    """The plan's working day and the next one in the engineer's office calendar."""
    shift_start: time
    shift_end: time
    lunch_start: time
    lunch_minutes: int
    stops: list[Stop]

    @property
    def away(self) -> bool:
        """Whether the engineer serves a site of another office (working away from home)."""
        return any(stop.office != self.office for stop in self.stops)


class Unassigned(_Frozen):
    ticket_id: int
    reason: str


class PlanDocument(_Frozen):
    plan_id: int
    version: int
    scope: list[str]
    date: date
    published: bool
    created_at: datetime
    routes: list[RouteDocument]
    unassigned: list[Unassigned]
    kpis: Kpis

    def stops(self) -> dict[int, tuple[RouteDocument, Stop]]:
        """Every routed ticket with its route."""
        return {s.ticket_id: (r, s) for r in self.routes for s in r.stops}


def stop_of(visit: Visit, ticket: Ticket, zone: ZoneInfo) -> Stop:
    draft = ticket.draft
    return Stop(
        sequence=visit.sequence,
        ticket_id=visit.ticket_id,
        arrival=visit.arrival.astimezone(zone),
        departure=visit.departure.astimezone(zone),
        deadline=visit.deadline.astimezone(zone),
        called_at=draft.called_at.astimezone(zone),
        deadline_rule=ticket.deadline_rule.value,
        on_time=visit.on_time,
        minutes_late=visit.minutes_late,
        office=draft.office_code,
        customer=draft.customer,
        phone=draft.phone,
        address=draft.address,
        latitude=draft.site.latitude,
        longitude=draft.site.longitude,
        product_line=draft.product_line,
        product_model=draft.product_model,
        fault=draft.fault,
        emergency=draft.emergency,
        status=ticket.status.value,
        ticket_version=ticket.version,
        travel_minutes=visit.travel_minutes,
        travel_km=visit.travel_km,
    )


def build_plan_document(
    plan: Plan,
    *,
    tickets: Mapping[int, Ticket],
    engineers: Mapping[str, Engineer],
    offices: Mapping[str, Office],
) -> PlanDocument:
    """The plan's document: one route per engineer in its scope, in engineer order."""
    by_engineer: defaultdict[str, list[Visit]] = defaultdict(list)
    for visit in plan.visits:
        by_engineer[visit.engineer_id].append(visit)
    in_scope = sorted(
        e.id for e in engineers.values() if "ALL" in plan.scope or e.office_code in plan.scope
    )
    routes = []
    for engineer_id in in_scope:
        engineer = engineers[engineer_id]
        office = offices[engineer.office_code]
        zone = office.timezone
        visits = sorted(by_engineer.get(engineer_id, []), key=lambda v: v.sequence)
        stops = [stop_of(v, tickets[v.ticket_id], ZoneInfo(zone)) for v in visits]
        routes.append(
            RouteDocument(
                engineer_id=engineer_id,
                engineer=engineer.name,
                office=engineer.office_code,
                timezone=zone,
                days=working_days(office.calendar, plan.plan_date),
                shift_start=engineer.shift_start,
                shift_end=engineer.shift_end,
                lunch_start=engineer.lunch_start,
                lunch_minutes=engineer.lunch_minutes,
                stops=stops,
            )
        )
    return PlanDocument(
        plan_id=plan.id,
        version=plan.version,
        scope=list(plan.scope),
        date=plan.plan_date,
        published=plan.published,
        created_at=plan.created_at,
        routes=routes,
        unassigned=[Unassigned(ticket_id=t, reason=why) for t, why in plan.unassigned],
        kpis=Kpis.model_validate(plan.kpis),
    )


def load_plan_document(session: Session, plan: Plan) -> PlanDocument:
    """The document of a stored plan, reading its tickets, engineers and offices."""
    return build_plan_document(
        plan,
        tickets=TicketRepository(session).get_many([v.ticket_id for v in plan.visits]),
        engineers={e.id: e for e in EngineerRepository(session).list()},
        offices={o.code: o for o in OfficeRepository(session).list()},
    )


def plan_of(session: Session, plan_id: int) -> Plan:
    """The stored plan version, or ``NotFoundError``."""
    return PlanRepository(session).get(plan_id)


def plan_document_of(session: Session, plan_id: int) -> PlanDocument:
    """The document of plan ``plan_id`` (404 via ``NotFoundError`` when there is none)."""
    return load_plan_document(session, PlanRepository(session).get(plan_id))
