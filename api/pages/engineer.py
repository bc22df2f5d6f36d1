"""The engineer's day page (phone width): today's stops, status buttons, tomorrow, and
what changed since the route version they last saw."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from api.deps import SessionDep
from api.pages.board import today
from api.pages.render import page
from api.pages.session import SignedIn, check_csrf, signed_in, write_session
from dispatch.domain import TicketStatus
from dispatch.errors import StaleVersionError
from dispatch.lifecycle import IllegalTransitionError
from dispatch.services import directory, tickets
from dispatch.services.auth import ForbiddenError, require_engineer, require_status_update
from dispatch.services.board import changes_since, engineer_day
from dispatch.services.publishing import routed_engineer
from dispatch.services.tickets import report_status
from dispatch.store.users import Role

router = APIRouter(include_in_schema=False)
Who = Annotated[SignedIn, Depends(signed_in)]
BUTTONS = (
    (TicketStatus.EN_ROUTE, "En route"),
    (TicketStatus.ON_SITE, "On site"),
    (TicketStatus.FIXED_ON_SITE, "Fixed"),
    (TicketStatus.CARRIED_BACK, "Carried back"),
)


@router.get("/me")
def my_day(who: Who) -> RedirectResponse:
    if who.user.role is not Role.ENGINEER or who.user.engineer_id is None:
        raise ForbiddenError("only an engineer has a day page of their own")
    return RedirectResponse(f"/engineers/{who.user.engineer_id}/day", status_code=303)


def _render(
    request: Request,
    who: SignedIn,
    session: Session,
    engineer_id: str,
    day: date,
    message: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    engineer = directory.engineer(session, engineer_id)
    require_engineer(who.user, engineer.id, engineer.office_code)
    view = engineer_day(session, engineer.id, day)
    changes = changes_since(session, engineer.id, day, who.page.seen.get(engineer.id))
    response = page(
        request,
        "engineer.html",
        who,
        status_code=status_code,
        day=view,
        changes=changes,
        buttons=BUTTONS,
        message=message,
    )
    if view.plan_id is not None and who.user.engineer_id == engineer.id:
        who.page.seen[engineer.id] = view.plan_id
        write_session(request, response, who.page)
    return response


@router.get("/engineers/{engineer_id}/day")
def day_page(
    request: Request,
    who: Who,
    session: SessionDep,
    engineer_id: str,
    day: Annotated[date | None, Query(alias="date")] = None,
) -> HTMLResponse:
    return _render(request, who, session, engineer_id, day or today())


@router.post("/engineers/{engineer_id}/stops/{ticket_id}")
def report(
    request: Request,
    who: Who,
    session: SessionDep,
    engineer_id: str,
    ticket_id: int,
    csrf: Annotated[str, Form(max_length=100)],
    target: Annotated[TicketStatus, Form()],
    if_match: Annotated[int, Form()],
    day: Annotated[date, Form(alias="date")],
) -> Response:
    """Report a stop's status with the ticket version the page showed (``If-Match``)."""
    check_csrf(request, who.page, csrf)
    ticket = tickets.ticket(session, ticket_id)
    require_status_update(who.user, ticket.office_code, routed_engineer(session, ticket_id), target)
    try:
        report_status(session, ticket_id, target, expected_version=if_match, at=None)
    except (StaleVersionError, IllegalTransitionError) as refused:
        session.rollback()
        message = f"Ticket {ticket_id} changed meanwhile, nothing was recorded: {refused}"
        return _render(request, who, session, engineer_id, day, message, status_code=409)
    return RedirectResponse(f"/engineers/{engineer_id}/day?date={day}", status_code=303)
