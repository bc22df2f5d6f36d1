"""The call register through the API: idempotent intake, queries, status reports."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from dispatch.domain import Ticket, TicketDraft, TicketStatus
from dispatch.errors import InvalidInputError
from dispatch.services.followups import register_replacement
from dispatch.services.intake import register_ticket
from dispatch.store.repository import ActualTimes, OfficeRepository, TicketRepository
from dispatch.store.users import IdempotencyKeys
from dispatch.times import check_instant, check_reported

LATE_RISK_HORIZON = timedelta(hours=2)
"""A ticket nobody has reached is at risk when its deadline is this close (or past)."""

NOT_YET_REACHED: frozenset[TicketStatus] = frozenset(
    {
        TicketStatus.NEW,
        TicketStatus.REMOTE_DIAGNOSIS,
        TicketStatus.AWAITING_DISPATCH,
        TicketStatus.DISPATCHED,
        TicketStatus.EN_ROUTE,
    }
)

TIMED_STATUSES: frozenset[TicketStatus] = frozenset(
    {
        TicketStatus.EN_ROUTE,
        TicketStatus.ON_SITE,
        TicketStatus.FIXED_ON_SITE,
        TicketStatus.CARRIED_BACK,
    }
)
"""Statuses whose reported time is stored (leaving, arriving, finishing) and counted."""


class IdempotencyKeyReusedError(InvalidInputError):
    """The same ``Idempotency-Key`` came with a different request body."""


@dataclass(frozen=True, slots=True)
class TicketView:
    """A ticket with the actual times its engineer reported."""

    ticket: Ticket
    times: ActualTimes


@dataclass(frozen=True, slots=True)
class TicketFilter:
    offices: Collection[str] | None = None
    status: TicketStatus | None = None
    day: date | None = None
    """Called on this day, in the ticket's office's time zone."""
    late_risk: bool = False


def ticket(session: Session, ticket_id: int) -> Ticket:
    """The ticket, or ``NotFoundError``."""
    return TicketRepository(session).get(ticket_id)


def view(session: Session, ticket_id: int) -> TicketView:
    tickets = TicketRepository(session)
    return TicketView(tickets.get(ticket_id), tickets.actual_times(ticket_id))


def intake(
    session: Session,
    draft: TicketDraft,
    *,
    user_id: int,
    idempotency_key: str | None = None,
    request_hash: str = "",
) -> tuple[TicketView, bool]:
    """Register a call; returns the ticket and whether it is a replay of an earlier call.

    With an ``idempotency_key`` the first request stores key -> ticket; a retry with the
    same body returns that ticket, one with another body raises
    ``IdempotencyKeyReusedError``, and a concurrent duplicate gets ``ConflictError``.
    """
    keys = IdempotencyKeys(session)
    if idempotency_key is not None:
        found = keys.find(user_id, idempotency_key)
        if found is not None:
            stored_hash, ticket_id = found
            if stored_hash != request_hash:
                raise IdempotencyKeyReusedError(
                    f"Idempotency-Key {idempotency_key!r} was used with a different request"
                )
            return view(session, ticket_id), True
    ticket = register_ticket(session, draft)
    if idempotency_key is not None:
        keys.remember(user_id, idempotency_key, request_hash=request_hash, ticket_id=ticket.id)
    return view(session, ticket.id), False


def list_tickets(
    session: Session, wanted: TicketFilter, *, now: datetime, limit: int, offset: int = 0
) -> list[Ticket]:
    """Tickets matching the filter, most urgent deadline first."""
    found = TicketRepository(session).list(office_code=wanted.offices, status=wanted.status)
    if wanted.day is not None:
        zones = {o.code: ZoneInfo(o.timezone) for o in OfficeRepository(session).list()}
        found = [t for t in found if local_call_day(t, zones) == wanted.day]
    if wanted.late_risk:
        found = [t for t in found if at_risk(t, now)]
    return found[offset : offset + limit]


def local_call_day(ticket: Ticket, zones: dict[str, ZoneInfo]) -> date:
    return ticket.called_at.astimezone(zones[ticket.office_code]).date()


def at_risk(ticket: Ticket, now: datetime) -> bool:
    """Nobody is on site yet and the deadline is past or within ``LATE_RISK_HORIZON``."""
    return ticket.status in NOT_YET_REACHED and ticket.deadline - now <= LATE_RISK_HORIZON


def report_status(
    session: Session,
    ticket_id: int,
    target: TicketStatus,
    *,
    expected_version: int | None,
    at: datetime | None,
    now: datetime | None = None,
) -> TicketView:
    """Move a ticket through the lifecycle, recording when the engineer says it happened.

    For the statuses whose time is recorded (``TIMED_STATUSES``), ``at`` (default ``now``)
    must be plausible (``dispatch.times.check_reported``): after the call, not before the
    previous reported time, not in the future. Raises
    ``InvalidInputError`` if it is not, ``StaleVersionError`` if ``expected_version`` is
    out of date and ``IllegalTransitionError`` if the lifecycle forbids the move.

    A carry-back registers the replacement delivery due within 72 hours
    (``dispatch.services.followups``) in the same unit of work.
    """
    clock = now or datetime.now(UTC)
    when = at or clock
    if target in TIMED_STATUSES:
        current = view(session, ticket_id)
        times = current.times
        previous = max(
            (t for t in (times.en_route_at, times.arrived_at, times.finished_at) if t),
            default=None,
        )
        check_reported(when, called_at=current.ticket.called_at, previous=previous, now=clock)
    elif at is not None:
        check_instant(at, "at")
    tickets = TicketRepository(session)
    changed = tickets.change_status(ticket_id, target, expected_version=expected_version, at=when)
    if target is TicketStatus.CARRIED_BACK:
        finished = tickets.actual_times(ticket_id).finished_at
        register_replacement(session, changed, finished or when)
    return view(session, ticket_id)
