"""Published plans of a day, in publication order: what engineers are shown."""

from __future__ import annotations

from collections.abc import Collection
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


def owning_plans(session: Session, ticket_ids: Collection[int]) -> dict[int, int]:
    """Ticket id -> the published plan, of any day, that last mentioned it when published
    (routed or unassigned; ties by plan id). Tickets no published plan mentions are absent.
    """
    if not ticket_ids:
        return {}
    mentions = [
        select(row.ticket_id, PlanRow.id, PlanRow.published_at)
        .join(PlanRow, PlanRow.id == row.plan_id)
        .where(row.ticket_id.in_(ticket_ids), PlanRow.published_at.is_not(None))
        for row in (VisitRow, UnassignedRow)
    ]
    owner: dict[int, int] = {}
    rows = session.execute(mentions[0].union(mentions[1])).all()
    for ticket_id, plan_id, _ in sorted(rows, key=lambda r: (r[2], r[1])):
        owner[ticket_id] = plan_id
    return owner


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
