"""Published plans of a day, in publication order: what engineers are shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dispatch.domain import Plan
from dispatch.store.models import PlanRow, UnassignedRow, VisitRow
from dispatch.store.plans import plan_from_row


@dataclass(frozen=True, slots=True)
class Publication:
    """A published plan and when it was first published."""

    plan: Plan
    published_at: datetime


def published_on(session: Session, day: date) -> list[Publication]:
    """Every published plan of ``day``, oldest publication first (ties by plan id)."""
    query = (
        select(PlanRow)
        .where(PlanRow.plan_date == day, PlanRow.published_at.is_not(None))
        .order_by(PlanRow.published_at, PlanRow.id)
        .options(selectinload(PlanRow.visits), selectinload(PlanRow.unassigned))
    )
    return [
        Publication(plan_from_row(row), row.published_at)
        for row in session.scalars(query)
        if row.published_at is not None
    ]


def days_mentioning(session: Session, ticket_id: int) -> list[date]:
    """Days of published plans that route or leave unassigned ``ticket_id``, latest first."""
    routed = select(VisitRow.plan_id).where(VisitRow.ticket_id == ticket_id)
    left = select(UnassignedRow.plan_id).where(UnassignedRow.ticket_id == ticket_id)
    query = (
        select(PlanRow.plan_date)
        .where(
            PlanRow.published_at.is_not(None),
            PlanRow.id.in_(routed.union(left).scalar_subquery()),
        )
        .distinct()
        .order_by(PlanRow.plan_date.desc())
    )
    return list(session.scalars(query))
