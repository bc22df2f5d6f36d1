"""Reading only part of a published plan, for answers that must come back at once.

An arrival option at intake needs the current plan's identity and the routes of the
engineers who could take the call, not every visit, unassigned ticket and KPI of a
5,000-job day (``dispatch.services.arrival_options``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.domain import Plan, Visit
from dispatch.store.models import PlanRow, VisitRow
from dispatch.store.plans import ALL_OFFICES, _visit_from_row


@dataclass(frozen=True, slots=True)
class PlanRef:
    """Which plan version: enough to name it, without its visits."""

    id: int
    scope: tuple[str, ...]
    plan_date: date
    version: int

    @classmethod
    def of(cls, plan: Plan) -> PlanRef:
        return cls(plan.id, plan.scope, plan.plan_date, plan.version)


def current_covering(session: Session, day: date, office_code: str) -> PlanRef | None:
    """The latest published plan of ``day`` whose scope covers the office."""
    query = (
        select(PlanRow.id, PlanRow.scope, PlanRow.plan_date, PlanRow.version)
        .where(PlanRow.plan_date == day, PlanRow.published_at.is_not(None))
        .order_by(PlanRow.published_at.desc(), PlanRow.id.desc())
    )
    for plan_id, scope, plan_date, version in session.execute(query):
        codes = tuple(scope.split(","))
        if ALL_OFFICES in codes or office_code in codes:
            return PlanRef(plan_id, codes, plan_date, version)
    return None


def visits_of(session: Session, plan_id: int, engineer_ids: Collection[str]) -> list[Visit]:
    """The plan's visits of these engineers, by engineer and sequence."""
    query = (
        select(VisitRow)
        .where(VisitRow.plan_id == plan_id, VisitRow.engineer_id.in_(list(engineer_ids)))
        .order_by(VisitRow.engineer_id, VisitRow.sequence)
    )
    return [_visit_from_row(row) for row in session.scalars(query)]


def routes_ticket(session: Session, plan_id: int, ticket_id: int) -> bool:
    """Whether the plan has a visit to the ticket."""
    query = select(VisitRow.id).where(VisitRow.plan_id == plan_id, VisitRow.ticket_id == ticket_id)
    return session.execute(query.limit(1)).first() is not None
