"""``/api/v1/tickets``: the call register (004 Art. 8)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response
from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from api.conditional import IF_MATCH_PATTERN, expected_version, set_etag
from api.deps import SessionDep, UnitOfWorkDep, UserDep
from api.problems import problem_responses
from api.query import KnownQueryOnly
from api.rendered import rendered_as
from api.schemas import Day, StatusUpdate, TicketDetail, TicketIn, TicketOut
from dispatch.domain import TicketStatus
from dispatch.services import tickets
from dispatch.services.auth import (
    require_office,
    require_role,
    require_status_update,
    require_ticket_access,
    visible_offices,
)
from dispatch.services.publishing import routed_engineer
from dispatch.store.users import Role, User

router = APIRouter(prefix="/tickets", tags=["tickets"], dependencies=[KnownQueryOnly])
TicketId = Annotated[int, Path(ge=1, le=2**31 - 1)]
OfficeCode = Annotated[str, Query(pattern=r"^[A-Za-z0-9_-]{1,16}$")]
_TICKET_LIST = TypeAdapter(list[TicketOut])


@router.post(
    "",
    status_code=201,
    responses=problem_responses(
        400,
        401,
        403,
        404,
        409,
        413,
        422,
        s200={"model": TicketDetail, "description": "A replayed request (same key)"},
    ),
)
def create_ticket(
    body: TicketIn,
    session: SessionDep,
    user: UserDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=200)] = None,
) -> TicketDetail:
    """Register a call; the answer carries its service area and arrival deadline.

    With ``Idempotency-Key`` a retry returns the first ticket (200, ``Idempotent-Replayed:
    true``) instead of creating another; the same key with another body is a 422.
    """
    require_role(user, Role.DISPATCHER, Role.EMERGENCY, Role.ADMIN)
    require_office(user, body.office)
    digest = hashlib.sha256(body.model_dump_json().encode()).hexdigest()
    view, replayed = tickets.intake(
        session,
        body.to_draft(),
        user_id=user.id,
        idempotency_key=idempotency_key,
        request_hash=digest,
    )
    if replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = f"/api/v1/tickets/{view.ticket.id}"
    set_etag(response, view.ticket.version)
    return TicketDetail.of_view(view)


@router.get("", response_model=list[TicketOut], responses=problem_responses(401, 403, 422))
def list_tickets(
    unit_of_work: UnitOfWorkDep,
    user: UserDep,
    office: Annotated[list[OfficeCode] | None, Query()] = None,
    status: TicketStatus | None = None,
    day: Annotated[Day | None, Query(alias="date")] = None,
    late_risk: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    """Tickets by deadline; ``late_risk`` keeps those nobody reached with under 2 h left."""
    wanted = tickets.TicketFilter(visible_offices(user, office), status, day, late_risk)
    with unit_of_work() as session:
        found = tickets.list_tickets(
            session, wanted, now=datetime.now(UTC), limit=limit, offset=offset
        )
        return rendered_as(_TICKET_LIST, [TicketOut.model_validate(t) for t in found])


@router.get("/{ticket_id}", responses=problem_responses(401, 403, 404, 422))
def get_ticket(
    ticket_id: TicketId, session: SessionDep, user: UserDep, response: Response
) -> TicketDetail:
    """One ticket with its reported times; the ETag is its version, for ``If-Match``."""
    view = tickets.view(session, ticket_id)
    require_ticket_access(user, view.ticket.office_code, _engineer_of(session, user, ticket_id))
    set_etag(response, view.ticket.version)
    return TicketDetail.of_view(view)


@router.post(
    "/{ticket_id}/status", responses=problem_responses(400, 401, 403, 404, 409, 412, 413, 422)
)
def report_status(
    ticket_id: TicketId,
    body: StatusUpdate,
    session: SessionDep,
    user: UserDep,
    response: Response,
    if_match: Annotated[str, Header(max_length=100, pattern=IF_MATCH_PATTERN)] = "*",
) -> TicketDetail:
    """Move a ticket through the lifecycle with the time the engineer reports.

    ``If-Match`` with a stale version is a 412; a move the lifecycle forbids is a 409.
    Engineers may only report en_route, on_site, fixed_on_site and carried_back, on
    tickets of their own published route.
    """
    target = TicketStatus(body.status)
    current = tickets.view(session, ticket_id).ticket
    engineer = _engineer_of(session, user, ticket_id)
    require_status_update(user, current.office_code, engineer, target)
    view = tickets.report_status(
        session, ticket_id, target, expected_version=expected_version(if_match), at=body.at
    )
    set_etag(response, view.ticket.version)
    return TicketDetail.of_view(view)


def _engineer_of(session: Session, user: User, ticket_id: int) -> str | None:
    """Only engineers' access depends on the published routes: skip the lookup otherwise."""
    return routed_engineer(session, ticket_id) if user.role is Role.ENGINEER else None
