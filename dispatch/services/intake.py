"""Call intake (004 Art. 8): register a ticket with its service area and deadline."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dispatch.domain import Ticket, TicketDraft, TicketStatus
from dispatch.service_area import register
from dispatch.store.repository import EngineerRepository, OfficeRepository, TicketRepository


def register_ticket(
    session: Session,
    draft: TicketDraft,
    *,
    status: TicketStatus = TicketStatus.AWAITING_DISPATCH,
) -> Ticket:
    """Classify the site, compute the arrival deadline and store the ticket.

    A draft whose ``source_ref`` is already registered returns the stored ticket
    unchanged, so retried intake and re-seeding never duplicate a ticket.
    """
    tickets = TicketRepository(session)
    if draft.source_ref is not None:
        existing = tickets.get_by_source_ref(draft.source_ref)
        if existing is not None:
            return existing
    office = OfficeRepository(session).get(draft.office_code)
    _check_product_line(session, draft.product_line)
    area, deadline = register(draft, office)
    return tickets.add(
        draft,
        area=area,
        deadline_at=deadline.at,
        deadline_rule=deadline.rule,
        status=status,
    )


def _check_product_line(session: Session, product_line: str) -> None:
    """A ticket names a product line some engineer is certified on (SPEC §5 Skills)."""
    known = {skill for e in EngineerRepository(session).list() for skill in e.skills}
    if product_line not in known:
        raise ValueError(
            f"unknown product line {product_line!r}; known lines: {', '.join(sorted(known))}"
        )
