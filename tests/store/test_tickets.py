"""Tickets: intake, queries, status changes, versions and actual times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from dispatch.domain import DeadlineRule, Office, ServiceArea, Ticket, TicketStatus
from dispatch.errors import ConflictError, NotFoundError, StaleVersionError
from dispatch.lifecycle import PLANNABLE_STATUSES, IllegalTransitionError
from dispatch.store.repository import OfficeRepository, TicketRepository
from tests.store import builders
from tests.store.builders import CALLED_AT, URBAN

S = TicketStatus
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@pytest.fixture
def tickets(session: Session, office: Office) -> TicketRepository:
    return TicketRepository(session, clock=lambda: NOW)


def _add(tickets: TicketRepository, hours: float = 6, **changes: Any) -> Ticket:
    draft = builders.draft(**changes)
    return tickets.add(draft, deadline_at=draft.called_at + timedelta(hours=hours), **URBAN)


def test_added_ticket_round_trips(session: Session, tickets: TicketRepository) -> None:
    draft = builders.draft(source_ref="gen-1")
    added = tickets.add(
        draft,
        area=ServiceArea.REGIONAL,
        deadline_at=CALLED_AT + timedelta(hours=36),
        deadline_rule=DeadlineRule.THIRTY_SIX_HOURS,
    )
    session.commit()
    session.expunge_all()

    loaded = tickets.get(added.id)

    assert loaded == added
    assert loaded.draft == draft
    assert loaded.status is S.AWAITING_DISPATCH and loaded.version == 1
    assert loaded.service_area is ServiceArea.REGIONAL
    assert loaded.deadline == CALLED_AT + timedelta(hours=36)


def test_add_with_an_initial_status(tickets: TicketRepository) -> None:
    ticket = tickets.add(builders.draft(), deadline_at=CALLED_AT, status=S.NEW, **URBAN)
    assert tickets.get(ticket.id).status is S.NEW


def test_get_by_source_ref(tickets: TicketRepository) -> None:
    added = _add(tickets, source_ref="gen-7")

    assert tickets.get_by_source_ref("gen-7") == added
    assert tickets.get_by_source_ref("gen-8") is None


def test_source_ref_is_unique(tickets: TicketRepository) -> None:
    _add(tickets, source_ref="gen-7")
    with pytest.raises(ConflictError):
        _add(tickets, source_ref="gen-7")


def test_tickets_without_source_ref_do_not_collide(tickets: TicketRepository) -> None:
    _add(tickets)
    _add(tickets)
    assert len(tickets.list()) == 2


def test_ticket_of_unknown_office_is_refused(tickets: TicketRepository) -> None:
    with pytest.raises(NotFoundError):
        _add(tickets, office_code="XX")


def test_naive_deadline_is_refused(tickets: TicketRepository) -> None:
    with pytest.raises(ValueError, match="naive"):
        tickets.add(builders.draft(), deadline_at=datetime(2026, 11, 23, 16), **URBAN)


def test_unknown_ticket_is_not_found(tickets: TicketRepository) -> None:
    with pytest.raises(NotFoundError):
        tickets.get(999_999)


def test_list_orders_by_deadline_then_id(tickets: TicketRepository) -> None:
    late = _add(tickets, hours=7)
    first = _add(tickets, hours=2)
    second = _add(tickets, hours=2)

    assert [t.id for t in tickets.list()] == [first.id, second.id, late.id]


def test_list_filters_by_office_and_status(session: Session, tickets: TicketRepository) -> None:
    OfficeRepository(session).upsert(builders.office("SH"))
    beijing = _add(tickets)
    shanghai = _add(tickets, office_code="SH")
    done = _add(tickets)
    tickets.change_status(done.id, S.CANCELLED)

    assert [t.id for t in tickets.list(office_code="SH")] == [shanghai.id]
    assert {t.id for t in tickets.list(office_code=["BJ", "SH"])} == {
        beijing.id,
        shanghai.id,
        done.id,
    }
    assert [t.id for t in tickets.list(status=S.CANCELLED)] == [done.id]
    planable = tickets.list(office_code="BJ", status=PLANNABLE_STATUSES)
    assert [t.id for t in planable] == [beijing.id]


def test_list_filters_by_call_time_half_open(tickets: TicketRepository) -> None:
    early = _add(tickets, called_at=CALLED_AT)
    late = _add(tickets, called_at=CALLED_AT + timedelta(hours=1))

    window = tickets.list(called_from=CALLED_AT, called_to=CALLED_AT + timedelta(hours=1))
    after = tickets.list(called_from=(CALLED_AT + timedelta(minutes=1)).astimezone(UTC))

    assert [t.id for t in window] == [early.id]
    assert [t.id for t in after] == [late.id]


def test_change_status_bumps_the_version(tickets: TicketRepository) -> None:
    ticket = _add(tickets)

    changed = tickets.change_status(ticket.id, S.DISPATCHED, expected_version=1)

    assert changed.status is S.DISPATCHED and changed.version == 2
    assert tickets.get(ticket.id) == changed


def test_stale_version_is_refused_and_changes_nothing(tickets: TicketRepository) -> None:
    ticket = _add(tickets)
    tickets.change_status(ticket.id, S.DISPATCHED)

    with pytest.raises(StaleVersionError) as raised:
        tickets.change_status(ticket.id, S.EN_ROUTE, expected_version=1)

    assert (raised.value.expected, raised.value.actual) == (1, 2)
    current = tickets.get(ticket.id)
    assert current.status is S.DISPATCHED and current.version == 2


def test_illegal_transition_changes_nothing(tickets: TicketRepository) -> None:
    ticket = _add(tickets)

    with pytest.raises(IllegalTransitionError):
        tickets.change_status(ticket.id, S.CLOSED, expected_version=1)

    assert tickets.get(ticket.id) == ticket


def test_change_status_of_unknown_ticket(tickets: TicketRepository) -> None:
    with pytest.raises(NotFoundError):
        tickets.change_status(999_999, S.DISPATCHED)


def test_actual_times_are_recorded_from_reports(tickets: TicketRepository) -> None:
    ticket = _add(tickets)
    left = datetime(2026, 11, 23, 11, 0, tzinfo=builders.SHANGHAI)
    tickets.change_status(ticket.id, S.DISPATCHED)
    tickets.change_status(ticket.id, S.EN_ROUTE, at=left)
    tickets.change_status(ticket.id, S.ON_SITE, at=left + timedelta(minutes=40))
    tickets.change_status(ticket.id, S.FIXED_ON_SITE)

    times = tickets.actual_times(ticket.id)

    assert times.en_route_at == left and times.en_route_at.tzinfo is UTC
    assert times.arrived_at == left + timedelta(minutes=40)
    assert times.finished_at == NOW
    assert tickets.get(ticket.id).version == 5


def test_naive_report_time_is_refused(tickets: TicketRepository) -> None:
    ticket = _add(tickets)
    with pytest.raises(ValueError, match="naive"):
        tickets.change_status(ticket.id, S.DISPATCHED, at=datetime(2026, 11, 23, 11))
