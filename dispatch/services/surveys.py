"""Satisfaction surveys (004 Art. 23–24): recording one per closed call, and the report.

Every closed call can take one survey (004 Art. 23: every call, not a sample). The report
counts, per office and per engineer, the closed calls of a period (by the call's local
day, as the compliance report does), how many were surveyed (coverage), how the ratings
of each question are distributed over the four levels, and the mean score on the
0-100 scale of the company target (001 §3.7: above 90 points).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from dispatch.domain import SURVEY_LEVELS, SURVEY_QUESTIONS, Survey, TicketStatus
from dispatch.errors import ConflictError, InvalidInputError
from dispatch.services.publishing import routed_engineer
from dispatch.services.reports import MAX_COMPLIANCE_DAYS
from dispatch.services.tickets import local_call_day
from dispatch.store.repository import OfficeRepository, TicketRepository
from dispatch.store.surveys import SurveyRepository

TARGET_POINTS = 90.0


def record_survey(
    session: Session,
    ticket_id: int,
    ratings: Mapping[str, int],
    *,
    at: datetime,
    comment: str = "",
) -> Survey:
    """Store the survey of a closed call; 409 if it is not closed or already surveyed."""
    ticket = TicketRepository(session).get(ticket_id)
    if ticket.status is not TicketStatus.CLOSED:
        raise ConflictError(f"ticket {ticket_id} is {ticket.status.value}: only closed calls")
    survey = Survey(
        ticket_id=ticket.id,
        office_code=ticket.office_code,
        engineer_id=routed_engineer(session, ticket.id),
        ratings=dict(ratings),
        recorded_at=at,
        comment=comment,
    )
    return SurveyRepository(session).add(survey)


@dataclass(slots=True)
class SurveyFigures:
    """Coverage and distribution of the surveys of one office or engineer."""

    closed: int = 0
    surveyed: int = 0
    distribution: dict[str, dict[str, int]] = field(
        default_factory=lambda: {q: {str(n): 0 for n in SURVEY_LEVELS} for q in SURVEY_QUESTIONS}
    )
    points: list[float] = field(default_factory=list)

    def add(self, survey: Survey | None) -> None:
        self.closed += 1
        if survey is None:
            return
        self.surveyed += 1
        for question, level in survey.ratings.items():
            self.distribution[question][str(level)] += 1
        self.points.append(survey.points)

    def as_dict(self) -> dict[str, Any]:
        mean = round(sum(self.points) / len(self.points), 1) if self.points else None
        return {
            "closed": self.closed,
            "surveyed": self.surveyed,
            "coverage": round(self.surveyed / self.closed, 3) if self.closed else None,
            "mean_points": mean,
            "meets_target": mean is not None and mean > TARGET_POINTS,
            "distribution": self.distribution,
        }


def survey_report(
    session: Session, offices: Collection[str] | None, start: date, end: date
) -> dict[str, dict[str, dict[str, Any]]]:
    """Per office and per engineer: closed calls of the period, surveyed, distribution."""
    if end < start:
        raise InvalidInputError("to must not be before from", field="to")
    if (end - start).days >= MAX_COMPLIANCE_DAYS:
        raise InvalidInputError(
            f"a survey report covers at most {MAX_COMPLIANCE_DAYS} days", field="to"
        )
    zones = {o.code: ZoneInfo(o.timezone) for o in OfficeRepository(session).list()}
    closed = [
        t
        for t in TicketRepository(session).list(office_code=offices, status=TicketStatus.CLOSED)
        if start <= local_call_day(t, zones) <= end
    ]
    surveys = {s.ticket_id: s for s in SurveyRepository(session).list([t.id for t in closed])}
    by_office: dict[str, SurveyFigures] = {}
    by_engineer: dict[str, SurveyFigures] = {}
    for ticket in closed:
        survey = surveys.get(ticket.id)
        by_office.setdefault(ticket.office_code, SurveyFigures()).add(survey)
        engineer = survey.engineer_id if survey else routed_engineer(session, ticket.id)
        by_engineer.setdefault(engineer or "unknown", SurveyFigures()).add(survey)
    return {"offices": _dicts(by_office.items()), "engineers": _dicts(by_engineer.items())}


def _dicts(items: Iterable[tuple[str, SurveyFigures]]) -> dict[str, dict[str, Any]]:
    return {key: figures.as_dict() for key, figures in sorted(items)}
