"""Call intake (004 Art. 8): register a ticket with its service area and deadline."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dispatch.domain import Ticket, TicketDraft, TicketStatus
from dispatch.errors import InvalidInputError
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
    return Intake(session).register(draft, status=status)


def known_product_lines(session: Session) -> frozenset[str]:
    """The product lines some engineer is certified on (SPEC §5 Skills)."""
    return frozenset(skill for e in EngineerRepository(session).list() for skill in e.skills)


class Intake:
    """Registers calls in one unit of work, reading the engineers' product lines once.

    For a batch (seeding a day of calls) in which no engineer's skills change: the lines
    are read at the first ticket that needs them, then reused. ``register_ticket`` uses
    a fresh one per call, so a single call always sees the current engineers.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._known_lines: frozenset[str] | None = None

    def register(
        self, draft: TicketDraft, *, status: TicketStatus = TicketStatus.AWAITING_DISPATCH
    ) -> Ticket:
        """See ``register_ticket``."""
        tickets = TicketRepository(self._session)
        if draft.source_ref is not None:
            existing = tickets.get_by_source_ref(draft.source_ref)
            if existing is not None:
                return existing
        office = OfficeRepository(self._session).get(draft.office_code)
        self._check_product_line(draft.product_line)
        area, deadline = register(draft, office)
        return tickets.add(
            draft,
            area=area,
            deadline_at=deadline.at,
            deadline_rule=deadline.rule,
            status=status,
        )

    def _check_product_line(self, product_line: str) -> None:
        """A ticket names a product line some engineer is certified on: otherwise the
        planner could never assign it."""
        if self._known_lines is None:
            self._known_lines = known_product_lines(self._session)
        known = self._known_lines
        if product_line not in known:
            raise InvalidInputError(
                f"unknown product line {product_line!r}; known lines: {', '.join(sorted(known))}",
                field="product_line",
            )
