"""The arrival promise on the board: after a call is registered, the best ways to fit it
into the published plan (``dispatch.services.arrival_options``), and one click to make
the chosen one a new plan version, which the plan page then compares and publishes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SessionDep
from api.pages.board import Csrf, Planner
from api.pages.render import page
from api.pages.session import check_csrf
from dispatch.errors import ConflictError, InvalidInputError, NotFoundError
from dispatch.services import directory, tickets
from dispatch.services.arrival_options import arrival_options
from dispatch.services.assign_option import assign_option
from dispatch.services.auth import require_office

router = APIRouter(include_in_schema=False)
OPTIONS_SHOWN = 5


@router.get("/board/calls/{ticket_id}/options")
def options_page(
    request: Request, who: Planner, session: SessionDep, ticket_id: int
) -> HTMLResponse:
    """The call's options, or why there are none (no published plan covers its day)."""
    return _options(request, who, session, ticket_id, problem=None, status_code=200)


@router.post("/board/calls/{ticket_id}/assign")
def assign(
    request: Request,
    who: Planner,
    session: SessionDep,
    ticket_id: int,
    csrf: Csrf,
    plan_id: Annotated[int, Form(ge=1)],
    key: Annotated[str, Form(min_length=1, max_length=500)],
) -> Response:
    """Store the published plan with this option applied as its next version; an option
    that no longer fits (the plan moved on) shows the options again with the conflict."""
    check_csrf(request, who.page, csrf)
    require_office(who.user, tickets.ticket(session, ticket_id).office_code)
    try:
        plan, _ = assign_option(session, ticket_id, plan_id=plan_id, key=key)
    except (ConflictError, InvalidInputError) as refused:
        session.rollback()
        status = 409 if isinstance(refused, ConflictError) else 422
        return _options(request, who, session, ticket_id, problem=str(refused), status_code=status)
    return RedirectResponse(f"/board/plans/{plan.id}", status_code=303)


def _options(
    request: Request,
    who: Planner,
    session: SessionDep,
    ticket_id: int,
    *,
    problem: str | None,
    status_code: int,
) -> HTMLResponse:
    ticket = tickets.ticket(session, ticket_id)
    require_office(who.user, ticket.office_code)
    zone = directory.office_zone(session, ticket.office_code)
    try:
        report = arrival_options(session, ticket_id, count=OPTIONS_SHOWN)
    except (NotFoundError, ConflictError) as missing:
        report, problem = None, problem or str(missing)
    return page(
        request,
        "options.html",
        who,
        status_code=status_code,
        ticket=ticket,
        report=report,
        zone=zone,
        problem=problem,
    )
