"""A self-contained problem file: plan a day with no database (``dispatch solve``).

The file names offices, engineers and tickets in the domain's own words; intake rules
(service area, deadline) are applied exactly as for stored tickets. The schema is in
``docs/problem-file.md``.
"""

from __future__ import annotations

import time as clock
from collections import Counter
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import from_json

from dispatch.calendar import BusinessCalendar
from dispatch.domain import (
    Engineer,
    GeoPoint,
    Office,
    Plan,
    Ticket,
)
from dispatch.errors import InvalidInputError
from dispatch.service_area import register
from dispatch.services.call_form import CallForm, ProductLine
from dispatch.services.plan_document import build_plan_document
from dispatch.services.planning import solve_plan
from dispatch.services.problem_builder import build_problem, check_size
from dispatch.services.time_budget import check_time_limit, for_search
from dispatch.times import check_day
from dispatch.travel import MatrixFileProvider, TravelProvider, default_provider
from solver import SolveParams

MAX_FILE_BYTES = 64 * 1024 * 1024
"""A larger problem file is refused before it is parsed (10,000 tickets take about 4 MB).
JSON nesting is bounded by the parser (pydantic's, 200 levels)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OfficeIn(_Strict):
    code: str = Field(min_length=1, max_length=16)
    name: str
    city: str = ""
    region: str = ""
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    timezone: str = "Asia/Shanghai"
    opens: time = time(9, 0)
    closes: time = time(18, 0)
    working_days: list[int] = [0, 1, 2, 3, 4]
    holidays: list[date] = []
    extra_working_days: list[date] = []
    urban_radius_km: float = Field(default=15.0, ge=0)
    suburban_radius_km: float = Field(default=60.0, ge=0)

    @model_validator(mode="after")
    def _valid_office(self) -> Self:
        """The calendar and radii the domain accepts, reported against this office."""
        self.domain()
        return self

    def domain(self) -> Office:
        calendar = BusinessCalendar(
            timezone=self.timezone,
            opens=self.opens,
            closes=self.closes,
            working_days=frozenset(self.working_days),
            holidays=frozenset(self.holidays),
            extra_working_days=frozenset(self.extra_working_days),
        )
        return Office(
            code=self.code,
            name=self.name,
            city=self.city,
            region=self.region,
            location=GeoPoint(self.latitude, self.longitude),
            calendar=calendar,
            urban_radius_km=self.urban_radius_km,
            suburban_radius_km=self.suburban_radius_km,
        )


class EngineerIn(_Strict):
    id: str = Field(min_length=1)
    name: str
    office: str
    skills: list[ProductLine] = Field(min_length=1)
    shift_start: time = time(9, 0)
    shift_end: time = time(18, 0)
    lunch_start: time = time(12, 0)
    lunch_minutes: int = Field(default=60, ge=0, le=180)
    overtime_cap_minutes: int = Field(default=120, ge=0, le=600)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)

    def domain(self) -> Engineer:
        here = None
        if self.latitude is not None and self.longitude is not None:
            here = GeoPoint(self.latitude, self.longitude)
        return Engineer(
            id=self.id,
            name=self.name,
            office_code=self.office,
            skills=frozenset(self.skills),
            shift_start=self.shift_start,
            shift_end=self.shift_end,
            lunch_start=self.lunch_start,
            lunch_minutes=self.lunch_minutes,
            overtime_cap_minutes=self.overtime_cap_minutes,
            location=here,
        )


class TicketIn(CallForm):
    """A call of the file: the intake form plus the ticket's id."""

    model_config = ConfigDict(frozen=True)

    id: int = Field(ge=1)


class ProblemFile(_Strict):
    date: Annotated[date, AfterValidator(check_day)]
    offices: list[OfficeIn] = Field(min_length=1)
    engineers: list[EngineerIn] = Field(min_length=1)
    tickets: list[TicketIn] = []
    travel_matrix_file: str | None = None


def read_problem_file(path: Path) -> ProblemFile:
    """Read at most ``MAX_FILE_BYTES``, parse and validate; a bad file raises
    ``InvalidInputError`` naming the field and the reason."""
    with path.open("rb") as stream:
        raw = stream.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise InvalidInputError(f"{path}: larger than {MAX_FILE_BYTES // 2**20} MiB")
    try:
        _check_raw_size(from_json(raw))
        return ProblemFile.model_validate_json(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message = " ".join(first["msg"].split())
        where = f"{where}: " if where else ""
        raise InvalidInputError(f"{path}: {where}{message}") from None
    except ValueError as error:  # pydantic_core's parser: not JSON, or nested too deep
        raise InvalidInputError(f"{path}: not JSON ({error})") from None


def _check_raw_size(raw: object) -> None:
    """Refuse a file beyond the size cap before validating it (10,000 tickets take seconds).

    Engineers' own positions are counted once the file is read (``_places``).
    """
    if not isinstance(raw, dict):
        return
    offices, engineers, tickets = (
        len(raw[key]) if isinstance(raw.get(key), list) else 0 for key in _LISTS
    )
    check_size(offices + tickets, engineers)


_LISTS = ("offices", "engineers", "tickets")


def _tickets(spec: ProblemFile, offices: dict[str, Office]) -> list[Ticket]:
    tickets = []
    lines = {line for engineer in spec.engineers for line in engineer.skills}
    for index, item in enumerate(spec.tickets):
        if item.office not in offices:
            raise InvalidInputError(f"tickets.{index}.office: unknown office {item.office!r}")
        if item.product_line not in lines:
            raise InvalidInputError(
                f"tickets.{index}.product_line: no engineer is certified on {item.product_line!r}"
            )
        draft = item.to_draft()
        area, deadline = register(draft, offices[item.office])
        tickets.append(Ticket(item.id, draft, area, deadline.at, deadline.rule))
    if len({t.id for t in tickets}) != len(tickets):
        raise InvalidInputError("tickets: ticket ids must be unique")
    return tickets


def _require_unique(what: str, keys: list[str]) -> None:
    repeated = sorted(key for key, count in Counter(keys).items() if count > 1)
    if repeated:
        raise InvalidInputError(f"{what}: {', '.join(repeated)} given more than once")


def _travel(spec: ProblemFile, base: Path) -> TravelProvider:
    if spec.travel_matrix_file is None:
        return default_provider()
    try:
        return MatrixFileProvider(base / spec.travel_matrix_file)
    except (OSError, ValueError) as error:
        # The matrix reader reports a bad file as ValueError (dispatch.travel.files).
        raise InvalidInputError(f"travel_matrix_file: {error}") from None


def _places(spec: ProblemFile) -> int:
    """Offices, engineers' own positions and ticket sites: the travel matrix's size."""
    positions = sum(e.latitude is not None and e.longitude is not None for e in spec.engineers)
    return len(spec.offices) + positions + len(spec.tickets)


def solve_problem_file(path: Path, params: SolveParams) -> dict[str, Any]:
    """Plan the file's day and return the plan document (plan id 0: nothing is stored).

    ``params.time_limit_s`` covers the whole plan, reading the file included
    (``dispatch.services.time_budget``); a day too large for the planner, or for the
    limit, is refused before anything large is built.
    """
    started = clock.monotonic()
    spec = read_problem_file(path)
    check_size(_places(spec), len(spec.engineers))
    check_time_limit(_places(spec), params.time_limit_s)
    offices = {o.code: o.domain() for o in spec.offices}
    engineers = [e.domain() for e in spec.engineers]
    _require_unique("offices", [o.code for o in spec.offices])
    _require_unique("engineers", [e.id for e in spec.engineers])
    unknown = sorted({e.office_code for e in engineers} - set(offices))
    if unknown:
        raise InvalidInputError(f"engineers name unknown offices: {', '.join(unknown)}")
    tickets = _tickets(spec, offices)
    planning = build_problem(
        day=spec.date,
        offices=list(offices.values()),
        engineers=engineers,
        tickets=tickets,
        travel=_travel(spec, path.parent),
    )
    search = for_search(params, started, len(tickets))
    draft, _ = solve_plan(planning, scope=("ALL",), day=spec.date, params=search)
    plan = Plan(
        id=0,
        scope=draft.scope,
        plan_date=spec.date,
        version=0,
        created_at=datetime.now(UTC),
        visits=draft.visits,
        unassigned=draft.unassigned,
        kpis=draft.kpis,
    )
    return build_plan_document(
        plan,
        tickets={t.id: t for t in tickets},
        engineers={e.id: e for e in engineers},
        offices=offices,
    ).model_dump(mode="json")
