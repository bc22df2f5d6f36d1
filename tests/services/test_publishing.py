"""Publishing: idempotent, and never back to an outdated version."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from dispatch.errors import ConflictError
from dispatch.services.publishing import publish_plan
from dispatch.store.repository import PlanRepository

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
