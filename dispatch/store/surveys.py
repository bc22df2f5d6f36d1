"""Satisfaction surveys: one per closed ticket."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.domain import SURVEY_QUESTIONS, Survey
from dispatch.errors import ConflictError
from dispatch.store._common import flush_or_conflict, to_utc
from dispatch.store.models import SurveyRow


class SurveyRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, survey: Survey) -> Survey:
        """Store a survey; a second one for the same ticket raises ``ConflictError``."""
        if self._session.get(SurveyRow, survey.ticket_id) is not None:
            raise ConflictError(f"ticket {survey.ticket_id} already has a survey")
        row = SurveyRow(
            ticket_id=survey.ticket_id,
            office_code=survey.office_code,
            engineer_id=survey.engineer_id,
            comment=survey.comment,
            recorded_at=to_utc("recorded_at", survey.recorded_at),
            **survey.ratings,
        )
        self._session.add(row)
        flush_or_conflict(self._session, f"survey of ticket {survey.ticket_id}")
        return _survey(row)

    def list(self, ticket_ids: Collection[int]) -> list[Survey]:
        query = select(SurveyRow).where(SurveyRow.ticket_id.in_(list(ticket_ids)))
        return [_survey(row) for row in self._session.scalars(query.order_by(SurveyRow.ticket_id))]


def _survey(row: SurveyRow) -> Survey:
    return Survey(
        ticket_id=row.ticket_id,
        office_code=row.office_code,
        engineer_id=row.engineer_id,
        ratings={q: int(getattr(row, q)) for q in SURVEY_QUESTIONS},
        recorded_at=row.recorded_at,
        comment=row.comment,
    )
