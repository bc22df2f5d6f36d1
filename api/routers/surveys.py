"""Satisfaction surveys (004 Art. 23–24): record one per closed call, and report them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from api.deps import SessionDep, UserDep
from api.problems import problem_responses
from api.query import KnownQueryOnly
from api.schemas import Day, Strict
from dispatch.services import tickets
from dispatch.services.auth import require_office, require_role, visible_offices
from dispatch.services.surveys import record_survey, survey_report
from dispatch.store.users import Role

router = APIRouter(tags=["surveys"], dependencies=[KnownQueryOnly])
TicketId = Annotated[int, Path(ge=1, le=2**31 - 1)]
OfficeCode = Annotated[str, Query(pattern=r"^[A-Za-z0-9_-]{1,16}$")]
Level = Annotated[int, Field(ge=1, le=4)]


class SurveyIn(Strict):
    """The four ratings of 004 Art. 24, each 1 (dissatisfied) to 4 (very satisfied)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"attitude": 4, "technique": 4, "arrival_time": 3, "follow_through": 4}]
        }
    )

    attitude: Level
    technique: Level
    arrival_time: Level
    follow_through: Level
    comment: str = Field(default="", max_length=2000)
    at: AwareDatetime | None = None
    """When the customer answered (default: now)."""


class SurveyOut(BaseModel):
    ticket_id: int
    office: str
    engineer_id: str | None
    ratings: dict[str, int]
    points: float
    """0-100: the company target is above 90 (001 §3.7)."""
    recorded_at: datetime
    comment: str


class SurveyReportOut(BaseModel):
    start: date
    end: date
    offices: dict[str, dict[str, Any]]
    engineers: dict[str, dict[str, Any]]
    """Each with ``closed``, ``surveyed``, ``coverage``, ``mean_points``, ``meets_target``
    and ``distribution`` (question -> level -> count)."""


@router.post(
    "/tickets/{ticket_id}/survey",
    status_code=201,
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
)
def record(ticket_id: TicketId, body: SurveyIn, session: SessionDep, user: UserDep) -> SurveyOut:
    """Record the customer's survey of a closed call: one per call (409 for a second)."""
    require_role(user, Role.DISPATCHER, Role.EMERGENCY, Role.ADMIN)
    require_office(user, tickets.ticket(session, ticket_id).office_code)
    ratings = body.model_dump(include={"attitude", "technique", "arrival_time", "follow_through"})
    survey = record_survey(
        session, ticket_id, ratings, at=body.at or datetime.now(UTC), comment=body.comment
    )
    return SurveyOut(
        ticket_id=survey.ticket_id,
        office=survey.office_code,
        engineer_id=survey.engineer_id,
        ratings=survey.ratings,
        points=survey.points,
        recorded_at=survey.recorded_at,
        comment=survey.comment,
    )


@router.get("/reports/surveys", responses=problem_responses(401, 403, 422))
def report(
    start: Annotated[Day, Query(alias="from")],
    end: Annotated[Day, Query(alias="to")],
    session: SessionDep,
    user: UserDep,
    office: Annotated[list[OfficeCode] | None, Query()] = None,
) -> SurveyReportOut:
    """Coverage (surveyed / closed) and the ratings' distribution, per office and engineer."""
    figures = survey_report(session, visible_offices(user, office), start, end)
    return SurveyReportOut(start=start, end=end, **figures)
