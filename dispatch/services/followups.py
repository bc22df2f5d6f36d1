"""The replacement visit a carry-back requires (001 §3.1.6, 004 Art. 11).

When an engineer carries a product back for depot repair, a same-model replacement unit
is due at the customer's site within 72 hours (wall clock: the emergency stock ships
7×24). Reporting ``carried_back`` therefore registers a follow-up ticket: the same site,
customer, product line and model, called at the carry-back, due 72 hours later under its
own rule ``72h``. It is planned like any other call. ``source_ref`` is
``replacement:<original id>``, so a ticket gets at most one replacement, and the link
to the original is kept without a schema change.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from dispatch.domain import DeadlineRule, Ticket, TicketStatus
from dispatch.store.repository import TicketRepository

REPLACEMENT_WINDOW = timedelta(hours=72)
REPLACEMENT_ONSITE_MINUTES = 60
"""Delivering and installing a same-model unit: less than a repair (our estimate)."""
REPLACEMENT_PREFIX = "replacement:"


def replacement_ref(ticket_id: int) -> str:
    return f"{REPLACEMENT_PREFIX}{ticket_id}"


def replaced_ticket(ticket: Ticket) -> int | None:
    """The id of the ticket a replacement follows up, None for an ordinary call."""
    ref = ticket.draft.source_ref or ""
    if not ref.startswith(REPLACEMENT_PREFIX):
        return None
    return int(ref.removeprefix(REPLACEMENT_PREFIX))


def register_replacement(session: Session, original: Ticket, carried_back_at: datetime) -> Ticket:
    """The replacement delivery for a carried-back ticket (the stored one if it exists)."""
    tickets = TicketRepository(session)
    ref = replacement_ref(original.id)
    existing = tickets.get_by_source_ref(ref)
    if existing is not None:
        return existing
    draft = replace(
        original.draft,
        called_at=carried_back_at,
        fault=f"deliver a replacement {original.draft.product_model or 'unit'} "
        f"(ticket {original.id} carried back for depot repair)",
        onsite_minutes=REPLACEMENT_ONSITE_MINUTES,
        priority=max(original.draft.priority, 1),
        emergency=False,
        remote_failed=False,
        source_ref=ref,
    )
    return tickets.add(
        draft,
        area=original.service_area,
        deadline_at=(carried_back_at.astimezone(UTC) + REPLACEMENT_WINDOW),
        deadline_rule=DeadlineRule.SEVENTY_TWO_HOURS,
        status=TicketStatus.AWAITING_DISPATCH,
    )
