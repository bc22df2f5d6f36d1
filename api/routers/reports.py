"""``/api/v1/reports``: office KPIs, engineers' daily logs, dispatch-window compliance."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from api.deps import SessionDep, UserDep
from api.problems import problem_responses
from api.query import KnownQueryOnly
from api.schemas import Day
from dispatch.services import directory, reports
from dispatch.services.auth import require_engineer, require_office, visible_offices

router = APIRouter(prefix="/reports", tags=["reports"], dependencies=[KnownQueryOnly])
OfficeCode = Annotated[str, Query(pattern=r"^[A-Za-z0-9_-]{1,16}$")]
DayQuery = Annotated[Day, Query(alias="date")]


class OfficeKpisOut(BaseModel):
    office: str
    date: date
    plan_id: int
    kpis: dict[str, Any]


class DailyLogOut(BaseModel):
    engineer_id: str
    date: date
    shift_hours: float
    planned: dict[str, float]
    """Hours by work kind A, B, C, D from the published route."""
    actual: dict[str, float]
    """Hours by work kind from the reported times (leaving for a job to finishing it)."""
    jobs: list[dict[str, Any]]


class RuleOut(BaseModel):
    total: int
    on_time: int
    late: int
    overdue: int
    pending: int


class ComplianceOut(BaseModel):
    start: date
    end: date
    rules: dict[str, RuleOut]
    """Keyed by deadline rule: ``6h``, ``7h``, ``36h``."""
    misses: list[dict[str, Any]]


@router.get("/kpis", responses=problem_responses(401, 403, 404, 422))
def office_kpis(
    office: OfficeCode, day: DayQuery, session: SessionDep, user: UserDep
) -> OfficeKpisOut:
    """KPIs of an office's day, from the latest published plan covering the office."""
    require_office(user, office)
    plan_id, kpis = reports.office_kpis(session, office, day)
    return OfficeKpisOut(office=office, date=day, plan_id=plan_id, kpis=kpis)


@router.get("/engineers/{engineer_id}/daily", responses=problem_responses(401, 403, 404, 422))
def engineer_daily(
    engineer_id: Annotated[str, Path(min_length=1, max_length=32)],
    day: DayQuery,
    session: SessionDep,
    user: UserDep,
) -> DailyLogOut:
    """The engineer's daily log of work kinds and hours (004 Art. 15–17)."""
    engineer = directory.engineer(session, engineer_id)
    require_engineer(user, engineer.id, engineer.office_code)
    log = reports.engineer_daily(session, engineer.id, day)
    return DailyLogOut(
        engineer_id=log.engineer_id,
        date=log.day,
        shift_hours=log.shift_hours,
        planned=log.planned,
        actual=log.actual,
        jobs=log.jobs,
    )


@router.get("/compliance", responses=problem_responses(401, 403, 422))
def compliance(
    start: Annotated[Day, Query(alias="from")],
    end: Annotated[Day, Query(alias="to")],
    session: SessionDep,
    user: UserDep,
    office: Annotated[list[OfficeCode] | None, Query()] = None,
) -> ComplianceOut:
    """Arrivals against the 6 h / 7 h / 36 h rules for calls in a date range."""
    offices = visible_offices(user, office)
    report = reports.compliance(session, offices, start, end, now=datetime.now(UTC))
    return ComplianceOut(
        start=start,
        end=end,
        rules={rule: RuleOut(**asdict(counts)) for rule, counts in report.rules.items()},
        misses=report.misses,
    )
