"""Publishing: idempotent, and never back to an outdated version."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from dispatch.domain import Visit
from dispatch.errors import ConflictError
from dispatch.services.publishing import publish_plan, published_route, routed_engineer
from dispatch.store.repository import PlanRepository
from tests.api.conftest import add_ticket, load_organisation

DAY = date(2026, 11, 23)


def test_an_older_version_cannot_be_published_over_a_newer_one(session: Session) -> None:
    plans = PlanRepository(session)
    older = plans.add(("ALL",), DAY, visits=())
    newer = plans.add(("ALL",), DAY, visits=())
    assert publish_plan(session, newer.id).plan.published
    with pytest.raises(ConflictError, match="older than the published"):
        publish_plan(session, older.id)
    assert not plans.get(older.id).published


def test_publishing_twice_changes_nothing_the_second_time(session: Session) -> None:
    plans = PlanRepository(session)
    plan = plans.add(("ALL",), DAY, visits=())
    first = publish_plan(session, plan.id)
    again = publish_plan(session, plan.id)
    assert first.plan.published and again.plan.published
    assert again.dispatched == () and again.released == ()
    newer = plans.add(("ALL",), DAY, visits=())
    assert publish_plan(session, newer.id).plan.published


def test_a_ticket_planned_again_for_a_later_day_leaves_the_earlier_route(
    session: Session,
) -> None:
    """Published for SH on one day, then in a GZ,SH plan a week later: one route only."""
    load_organisation(session)
    ticket = add_ticket(session)
    visit = Visit(ticket.id, "E01", 1, ticket.deadline, ticket.deadline, ticket.deadline)
    plans = PlanRepository(session)
    later = DAY + timedelta(days=7)
    publish_plan(session, plans.add(["SH"], DAY, visits=[visit]).id)
    again = publish_plan(session, plans.add(["GZ", "SH"], later, visits=[visit]).id).plan
    first_day = published_route(session, "E01", DAY)
    assert [v.ticket_id for v in first_day.visits] == []
    assert [v.ticket_id for v in published_route(session, "E01", later).visits] == [ticket.id]
    assert published_route(session, "E01", later).plan_id == again.id
    assert routed_engineer(session, ticket.id) == "E01"
