"""Request and response bodies, and their conversion from domain values.

Request bodies forbid unknown fields, so a status update cannot smuggle in
``assigned_engineer_id`` or ``priority``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote

from pydantic import (
    AfterValidator,
    AliasPath,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from dispatch.domain import (
    DeadlineRule,
    GeoPoint,
    ServiceArea,
    TicketStatus,
    WorkKind,
)
from dispatch.services.call_form import CallForm, CallTime, Instant, iso_text_only, whole_number
from dispatch.services.plan_document import Kpis
from dispatch.services.tickets import TicketView
from dispatch.store.jobs import JobStatus
from dispatch.times import DAY_PATTERN, FIRST_DAY, LAST_DAY, check_day

SCOPE_PATTERN = r"^(ALL|region:[A-Za-z][A-Za-z -]{0,49}|[A-Z0-9_-]{1,16}(,[A-Z0-9_-]{1,16}){0,49})$"
"""``ALL``, ``region:NAME`` or office codes separated by commas; an unknown one is a 404."""
MAX_TICKETS_PER_REQUEST = 20
MAX_SOLVE_SECONDS = 3600
"""The schema's bound; the server's ``SOLVE_SECONDS_MAX`` is usually lower."""

Day = Annotated[
    date,
    iso_text_only(date, r"^\d{4}-\d{2}-\d{2}$", "a day as YYYY-MM-DD"),
    AfterValidator(check_day),
    Field(
        description=f"YYYY-MM-DD, from {FIRST_DAY} to {LAST_DAY}",
        json_schema_extra={"pattern": DAY_PATTERN},
    ),
]
"""A day in a query or body: ISO text only, within the accepted range (``dispatch.times``)."""

SolveSeconds = Annotated[int, Field(ge=1, le=MAX_SOLVE_SECONDS), BeforeValidator(whole_number)]
"""Constraints before the validator, so the schema states them as ``minimum``/``maximum``."""

ReportedStatus = Literal[
    "en_route", "on_site", "fixed_on_site", "carried_back", "closed", "cancelled"
]


class Strict(BaseModel):
    """A request body: unknown fields are a 422 (subclasses inherit this config)."""

    model_config = ConfigDict(extra="forbid")


class TicketIn(CallForm):
    """A call as the office registers it (004 Art. 8)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "office": "SH",
                    "customer": "Pudong Metro Line 2",
                    "phone": "021-5555-0101",
                    "address": "1 Century Ave, Pudong",
                    "latitude": 31.2304,
                    "longitude": 121.4737,
                    "called_at": "2026-11-23T09:30:00+08:00",
                    "product_line": "video-surveillance",
                    "product_model": "VS-400",
                    "fault": "no picture on cameras 3-7",
                }
            ]
        },
    )


def _on_draft(*path: str) -> Any:
    """A ``TicketOut`` field read (``from_attributes``) from ``ticket.draft``."""
    return Field(validation_alias=AliasPath("draft", *path))


class TicketOut(BaseModel):
    # Read from a domain ``Ticket`` by attribute; the call's fields live on its ``draft``.
    model_config = ConfigDict(from_attributes=True)

    id: int
    office: Annotated[str, _on_draft("office_code")]
    customer: Annotated[str, _on_draft("customer")]
    phone: Annotated[str, _on_draft("phone")]
    address: Annotated[str, _on_draft("address")]
    latitude: Annotated[float, _on_draft("site", "latitude")]
    longitude: Annotated[float, _on_draft("site", "longitude")]
    product_line: Annotated[str, _on_draft("product_line")]
    product_model: Annotated[str, _on_draft("product_model")]
    fault: Annotated[str, _on_draft("fault")]
    kind: Annotated[WorkKind, _on_draft("kind")]
    priority: Annotated[int, _on_draft("priority")]
    emergency: Annotated[bool, _on_draft("emergency")]
    remote_failed: Annotated[bool, _on_draft("remote_failed")]
    onsite_minutes: Annotated[int, _on_draft("onsite_minutes")]
    called_at: Annotated[datetime, _on_draft("called_at")]
    service_area: ServiceArea
    deadline: datetime
    deadline_rule: DeadlineRule
    status: TicketStatus
    version: int


class TicketDetail(TicketOut):
    """A ticket with the actual times its engineer reported."""

    en_route_at: datetime | None = None
    arrived_at: datetime | None = None
    finished_at: datetime | None = None

    @classmethod
    def of_view(cls, view: TicketView) -> TicketDetail:
        times = view.times
        reported = {
            "en_route_at": times.en_route_at,
            "arrived_at": times.arrived_at,
            "finished_at": times.finished_at,
        }
        return cls.model_validate(view.ticket).model_copy(update=reported)


class StatusUpdate(Strict):
    """A status the engineer (or dispatcher) reports, and when it happened."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "on_site", "at": "2026-11-23T10:42:00+08:00"}]},
    )

    status: ReportedStatus
    at: Instant | None = None
    """When it happened (default: now); stored as the actual time of the status."""


class PlanRequest(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"scope": "SH", "date": "2026-11-23", "seconds": 10}]},
    )

    scope: str = Field(min_length=1, max_length=200, pattern=SCOPE_PATTERN)
    """``ALL``, ``region:NAME`` or office codes separated by commas."""
    date: Day
    seconds: SolveSeconds | None = None
    """Solver time limit; default ``SOLVE_SECONDS_DEFAULT`` (for a re-plan
    ``REPLAN_SECONDS_DEFAULT``), at most ``SOLVE_SECONDS_MAX``."""


class ReplanRequest(PlanRequest):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "scope": "SH",
                    "date": "2026-11-23",
                    "seconds": 5,
                    "as_of": "2026-11-23T13:10:00+08:00",
                    "tickets": [
                        {
                            "office": "SH",
                            "customer": "Ruijin Hospital",
                            "latitude": 31.2115,
                            "longitude": 121.4656,
                            "called_at": "2026-11-23T13:05:00+08:00",
                            "product_line": "video-surveillance",
                            "fault": "all cameras down",
                            "emergency": True,
                        }
                    ],
                }
            ]
        }
    )

    tickets: list[TicketIn] = Field(min_length=1, max_length=MAX_TICKETS_PER_REQUEST)
    """The urgent calls to add before re-planning."""
    as_of: CallTime | None = None
    """The moment to re-plan from (default: when the job starts)."""


class JobOut(BaseModel):
    # Read from a ``SolveJob`` by attribute name; ``date`` is the job's ``plan_date``.
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    id: int
    kind: str
    scope: str
    date: Annotated[date, Field(validation_alias="plan_date")]
    seconds: int
    as_of: datetime | None
    status: JobStatus
    attempt: int
    progress: dict[str, Any]
    failure_reason: str | None
    plan_id: int | None
    worker: str | None
    """Where the job runs or ran (host and process id)."""
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ReplanOut(BaseModel):
    job: JobOut
    tickets: list[TicketOut]


class VisitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    ticket_id: int
    engineer_id: str
    sequence: int
    arrival: datetime
    departure: datetime
    deadline: datetime
    minutes_late: int
    travel_minutes: int
    travel_km: float


class UnassignedOut(BaseModel):
    ticket_id: int
    reason: str

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, data: object) -> object:
        """The domain keeps an unassigned ticket as a ``(ticket_id, reason)`` pair."""
        if isinstance(data, tuple):
            ticket_id, reason = data
            return {"ticket_id": ticket_id, "reason": reason}
        return data


class PlanOut(BaseModel):
    # Read from a domain ``Plan`` by attribute name; ``date`` is the plan's ``plan_date``.
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    id: int
    scope: list[str]
    date: Annotated[date, Field(validation_alias="plan_date")]
    version: int
    created_at: datetime
    published: bool
    visits: list[VisitOut]
    unassigned: list[UnassignedOut]
    kpis: Kpis
    """Plan-wide figures over all its visits; ``engineers`` holds each engineer's figures of
    the planning day, with the tentative next working day's under ``next_day``
    (``dispatch.services.kpis``)."""


class PublishOut(BaseModel):
    plan_id: int
    published: bool
    dispatched: list[int]
    """Tickets this call moved to ``dispatched`` (empty when publishing again)."""
    released: list[int]
    """Tickets taken off a route by this plan, back to ``awaiting_dispatch``."""


class Navigation(BaseModel):
    geo: str
    """RFC 5870 ``geo:`` URI, opened by the phone's map app."""
    amap: str
    """Amap (高德) marker link; ``coordinate=wgs84`` since our coordinates are WGS84."""

    @classmethod
    def to(cls, site: GeoPoint, label: str) -> Navigation:
        lat, lon = site.latitude, site.longitude
        return cls(
            geo=f"geo:{lat:.6f},{lon:.6f}",
            amap=(
                f"https://uri.amap.com/marker?position={lon:.6f},{lat:.6f}"
                f"&name={quote(label)}&coordinate=wgs84&callnative=1"
            ),
        )


class StopOut(BaseModel):
    # Read from the plan document's ``Stop`` (times already on the office's clock).
    model_config = ConfigDict(
        from_attributes=True, json_schema_serialization_defaults_required=True
    )

    sequence: int
    ticket_id: int
    eta: Annotated[datetime, Field(validation_alias="arrival")]
    departure: datetime
    deadline: datetime
    minutes_late: int
    customer: str
    phone: str
    address: str
    latitude: float
    longitude: float
    product_line: str
    product_model: str
    fault: str
    status: TicketStatus
    ticket_version: int
    navigation: Annotated[Navigation, Field(default=None, validate_default=True)]

    @field_validator("navigation", mode="before")
    @classmethod
    def _navigate_to_site(cls, value: object, info: ValidationInfo) -> object:
        """Links to the site the fields above name."""
        if value is not None:
            return value
        site = GeoPoint(info.data["latitude"], info.data["longitude"])
        return Navigation.to(site, info.data["customer"])


class RouteOut(BaseModel):
    engineer_id: str
    engineer_name: str
    date: date
    plan_id: int | None
    """The published plan the stops come from; null when nothing is published."""
    stops: list[StopOut]
