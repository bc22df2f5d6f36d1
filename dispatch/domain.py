"""The dispatch domain: offices, engineers, tickets, visits and plans.

Plain, immutable values. Nothing here knows about the database, HTTP or OR-Tools;
the rules that give a ticket its service area and deadline live in
``dispatch.service_area`` and the working-time arithmetic in ``dispatch.calendar``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from enum import StrEnum

from dispatch.calendar import BusinessCalendar


class ServiceArea(StrEnum):
    """Where a site lies relative to its office (SPEC §5)."""

    URBAN = "urban"
    SUBURBAN = "suburban"
    REGIONAL = "regional"


class DeadlineRule(StrEnum):
    """Which time rule sets a ticket's arrival deadline (SPEC §3, §5)."""

    SIX_WORKING_HOURS = "6h"
    SEVEN_WORKING_HOURS = "7h"
    THIRTY_SIX_HOURS = "36h"
    SEVENTY_TWO_HOURS = "72h"
    """A replacement unit after a carry-back (001 §3.1.6), see ``services.followups``."""


class WorkKind(StrEnum):
    """Kinds of engineer work (004 Art. 6). A-C are customer jobs, D is internal."""

    PAID = "A"
    CONTRACT = "B"
    FREE = "C"
    ADMIN = "D"


class TicketStatus(StrEnum):
    """Where a ticket is in its life, from call to close (SPEC §2)."""

    NEW = "new"
    REMOTE_DIAGNOSIS = "remote_diagnosis"
    AWAITING_DISPATCH = "awaiting_dispatch"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SITE = "on_site"
    FIXED_ON_SITE = "fixed_on_site"
    CARRIED_BACK = "carried_back"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class EngineerStatus(StrEnum):
    """What an engineer is doing right now, as last reported."""

    AVAILABLE = "available"
    EN_ROUTE = "en_route"
    ON_SITE = "on_site"
    OFF_DUTY = "off_duty"


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """A WGS84 position in decimal degrees."""

    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        if not -90.0 <= self.latitude <= 90.0:
            raise ValueError(f"latitude {self.latitude} is outside -90..90")
        if not -180.0 <= self.longitude <= 180.0:
            raise ValueError(f"longitude {self.longitude} is outside -180..180")


@dataclass(frozen=True, slots=True)
class Office:
    """A regional office (办事处): the home of its engineers and the owner of its tickets."""

    code: str
    name: str
    city: str
    region: str
    location: GeoPoint
    calendar: BusinessCalendar
    urban_radius_km: float = 15.0
    suburban_radius_km: float = 60.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.urban_radius_km <= self.suburban_radius_km:
            raise ValueError(
                f"office {self.code}: radii must satisfy 0 <= urban <= suburban, got "
                f"{self.urban_radius_km} and {self.suburban_radius_km}"
            )

    @property
    def timezone(self) -> str:
        return self.calendar.timezone


@dataclass(frozen=True, slots=True)
class Engineer:
    """A certified field engineer. Shift and lunch are local times of the home office."""

    id: str
    name: str
    office_code: str
    skills: frozenset[str]
    shift_start: time = time(9, 0)
    shift_end: time = time(18, 0)
    lunch_start: time = time(12, 0)
    lunch_minutes: int = 60
    overtime_cap_minutes: int = 120
    location: GeoPoint | None = None
    status: EngineerStatus = EngineerStatus.AVAILABLE

    def is_certified_for(self, product_line: str) -> bool:
        return product_line in self.skills


@dataclass(frozen=True, slots=True)
class TicketDraft:
    """A call as the office records it at intake (004 Art. 8), before it has a deadline."""

    office_code: str
    customer: str
    site: GeoPoint
    called_at: datetime
    product_line: str
    fault: str
    address: str = ""
    phone: str = ""
    product_model: str = ""
    kind: WorkKind = WorkKind.FREE
    priority: int = 0
    """0 is normal; higher is more urgent."""
    emergency: bool = False
    remote_failed: bool = False
    onsite_minutes: int = 120
    area_override: ServiceArea | None = None
    source_ref: str | None = None
    """A stable external reference (e.g. the generator's), used to make seeding idempotent."""

    def __post_init__(self) -> None:
        if self.called_at.tzinfo is None:
            raise ValueError("called_at must be timezone-aware")
        if self.kind is WorkKind.ADMIN:
            raise ValueError("kind D (internal admin) is not a customer ticket")
        if self.onsite_minutes <= 0:
            raise ValueError("onsite_minutes must be positive")


@dataclass(frozen=True, slots=True)
class Ticket:
    """A registered service request with its service area and its arrival deadline."""

    id: int
    draft: TicketDraft
    service_area: ServiceArea
    deadline: datetime
    deadline_rule: DeadlineRule
    status: TicketStatus = TicketStatus.AWAITING_DISPATCH
    version: int = 1

    @property
    def office_code(self) -> str:
        return self.draft.office_code

    @property
    def called_at(self) -> datetime:
        return self.draft.called_at


@dataclass(frozen=True, slots=True)
class Visit:
    """One stop of an engineer's planned route."""

    ticket_id: int
    engineer_id: str
    sequence: int
    arrival: datetime
    departure: datetime
    deadline: datetime
    travel_minutes: int = 0
    travel_km: float = 0.0

    @property
    def on_time(self) -> bool:
        return self.minutes_late == 0

    @property
    def minutes_late(self) -> int:
        """Compared in UTC: aware datetimes of one DST zone would compare by wall clock."""
        late = self.arrival.astimezone(UTC) - self.deadline.astimezone(UTC)
        return max(0, math.ceil(late.total_seconds() / 60.0))


@dataclass(frozen=True, slots=True)
class Plan:
    """A version of the plan for a scope (offices) and a day."""

    id: int
    scope: tuple[str, ...]
    plan_date: date
    version: int
    created_at: datetime
    visits: tuple[Visit, ...] = ()
    unassigned: tuple[tuple[int, str], ...] = ()
    kpis: dict[str, object] = field(default_factory=dict)
    published: bool = False


SURVEY_QUESTIONS = ("attitude", "technique", "arrival_time", "follow_through")
"""004 Art. 24: the engineer is rated on attitude, technique, arrival time and follow-through."""
SURVEY_LEVELS = (1, 2, 3, 4)
"""004 Art. 24 names four levels of satisfaction: 1 dissatisfied, 2 fairly satisfied,
3 satisfied, 4 very satisfied (不满意, 基本满意, 满意, 很满意)."""


@dataclass(frozen=True, slots=True)
class Survey:
    """A customer's satisfaction survey of a closed call (004 Art. 23–24)."""

    ticket_id: int
    office_code: str
    engineer_id: str | None
    ratings: dict[str, int]
    recorded_at: datetime
    comment: str = ""

    def __post_init__(self) -> None:
        if set(self.ratings) != set(SURVEY_QUESTIONS):
            raise ValueError(f"a survey rates exactly {', '.join(SURVEY_QUESTIONS)}")
        for question, level in self.ratings.items():
            if level not in SURVEY_LEVELS:
                raise ValueError(f"{question} must be a level from 1 to 4, got {level!r}")

    @property
    def points(self) -> float:
        """The survey on the 0-100 scale of the target (001 §3.7: above 90 points)."""
        levels = [self.ratings[q] for q in SURVEY_QUESTIONS]
        return round(sum((level - 1) / 3 * 100 for level in levels) / len(levels), 1)
