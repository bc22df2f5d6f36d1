"""Plans: versions per scope and day, visits and unassigned kept, idempotent publish."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from dispatch.domain import Engineer, Ticket, Visit
from dispatch.errors import NotFoundError
from dispatch.store.models import PlanRow, VisitRow
from dispatch.store.repository import ALL_OFFICES, PlanRepository, TicketRepository, scope_key
from tests.store import builders
from tests.store.builders import CALLED_AT, URBAN

DAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
def plans(session: Session) -> PlanRepository:
    return PlanRepository(session, clock=lambda: NOW)


@pytest.fixture
def two_tickets(session: Session, engineer: Engineer) -> list[Ticket]:
    repository = TicketRepository(session)
    return [
        repository.add(builders.draft(), deadline_at=CALLED_AT + timedelta(hours=6), **URBAN)
        for _ in range(2)
    ]


def _visit(ticket: Ticket, sequence: int, engineer_id: str = "E01") -> Visit:
    arrival = CALLED_AT + timedelta(hours=sequence)
    return Visit(
        ticket_id=ticket.id,
        engineer_id=engineer_id,
        sequence=sequence,
        arrival=arrival,
        departure=arrival + timedelta(minutes=90),
        deadline=ticket.deadline,
        travel_minutes=25,
        travel_km=12.5,
    )


def test_scope_key_is_canonical() -> None:
    assert scope_key(["SH", "BJ", "SH"]) == "BJ,SH"
    assert scope_key(("BJ", ALL_OFFICES)) == ALL_OFFICES
    with pytest.raises(ValueError):
        scope_key([])


def test_plan_round_trips(
    session: Session, plans: PlanRepository, two_tickets: list[Ticket]
) -> None:
    first, second = two_tickets
    added = plans.add(
        ["SH", "BJ"],
        DAY,
        visits=[_visit(second, 2), _visit(first, 1)],
        unassigned=[(second.id, "no certified engineer")],
        kpis={"late_minutes": 0, "km": 25.0},
    )
    session.commit()
    session.expunge_all()

    loaded = plans.get(added.id)

    assert loaded == added
    assert loaded.scope == ("BJ", "SH") and loaded.version == 1 and not loaded.published
    assert [v.ticket_id for v in loaded.visits] == [first.id, second.id]
    assert loaded.visits[0].arrival.tzinfo is UTC
    assert loaded.unassigned == ((second.id, "no certified engineer"),)
    assert loaded.kpis == {"late_minutes": 0, "km": 25.0}
    assert loaded.created_at == NOW


def test_versions_increase_per_scope_and_day_and_old_ones_are_kept(
    plans: PlanRepository, two_tickets: list[Ticket]
) -> None:
    v1 = plans.add(["BJ"], DAY, visits=[_visit(two_tickets[0], 1)])
    v2 = plans.add(["BJ"], DAY, visits=[_visit(two_tickets[1], 1)])
    other_day = plans.add(["BJ"], DAY + timedelta(days=1), visits=[])
    other_scope = plans.add([ALL_OFFICES], DAY, visits=[])

    assert (v1.version, v2.version, other_day.version, other_scope.version) == (1, 2, 1, 1)
    assert plans.get(v1.id).visits[0].ticket_id == two_tickets[0].id
    assert plans.latest(["BJ"], DAY) == v2


def test_latest_of_an_unplanned_day_is_none(plans: PlanRepository) -> None:
    assert plans.latest(["BJ"], DAY) is None


def test_latest_published_only(plans: PlanRepository) -> None:
    v1 = plans.add(["BJ"], DAY, visits=[])
    plans.add(["BJ"], DAY, visits=[])
    assert plans.latest(["BJ"], DAY, published_only=True) is None

    published = plans.publish(v1.id)

    assert plans.latest(["BJ"], DAY, published_only=True) == published
    assert plans.latest(["BJ"], DAY).version == 2  # type: ignore[union-attr]


def test_publish_is_idempotent(session: Session, plans: PlanRepository) -> None:
    plan = plans.add(["BJ"], DAY, visits=[])

    first = plans.publish(plan.id)
    later = PlanRepository(session, clock=lambda: NOW + timedelta(hours=1))
    second = later.publish(plan.id)

    assert first.published and second == first
    row = session.get_one(PlanRow, plan.id)
    assert row.published_at == NOW


def test_unknown_plan_is_not_found(plans: PlanRepository) -> None:
    with pytest.raises(NotFoundError):
        plans.get(999_999)
    with pytest.raises(NotFoundError):
        plans.publish(999_999)


def test_deleting_a_plan_deletes_its_visits(
    session: Session, plans: PlanRepository, two_tickets: list[Ticket]
) -> None:
    plan = plans.add(["BJ"], DAY, visits=[_visit(two_tickets[0], 1)])
    session.commit()

    session.execute(delete(PlanRow).where(PlanRow.id == plan.id))

    assert session.scalar(select(func.count()).select_from(VisitRow)) == 0
