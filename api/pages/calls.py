"""The call register and the intake form: the same ``CallForm`` rules and messages as
``POST /api/v1/tickets``, each error shown next to its field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from api.deps import SessionDep
from api.pages.board import Planner
from api.pages.render import page
from api.pages.session import SignedIn, check_csrf
from dispatch.domain import TicketStatus
from dispatch.errors import InvalidInputError
from dispatch.services import directory, tickets
from dispatch.services.auth import may_see_office, require_office, visible_offices
from dispatch.services.call_form import CallForm

router = APIRouter(include_in_schema=False)
FIELDS: tuple[str, ...] = (
    *("office", "customer", "phone", "address", "latitude", "longitude", "called_at"),
    *("product_line", "product_model", "fault", "kind", "emergency", "remote_failed"),
)
NUMBER_FIELDS = ("latitude", "longitude")
"""A form posts text; these go to ``CallForm`` as numbers when they read as one, so the
strict form (no ``true`` for a latitude in JSON) judges the value, not its spelling."""
REGISTER_PAGE = 500


@dataclass(frozen=True, slots=True)
class RegisterPage:
    """Where a page of the call register sits, and the links to its neighbours."""

    number: int
    size: int
    first: int
    """How many calls come before this page."""
    more: bool
    """Whether calls follow this page."""
    filters: dict[str, str]

    def link(self, number: int) -> str:
        return "/board/calls?" + urlencode({**self.filters, "page": number})


@router.get("/board/calls")
def register(
    request: Request,
    who: Planner,
    session: SessionDep,
    office: Annotated[str | None, Query(max_length=16)] = None,
    status: Annotated[TicketStatus | None, Query()] = None,
    risk: Annotated[bool, Query()] = False,
    page_number: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    """Calls by office, status and deadline risk, most urgent deadline first, a page of
    ``REGISTER_PAGE`` at a time."""
    offices = visible_offices(who.user, [office] if office else None)
    wanted = tickets.TicketFilter(offices=offices, status=status, late_risk=risk)
    first = (page_number - 1) * REGISTER_PAGE
    found = tickets.list_tickets(
        session, wanted, now=datetime.now(UTC), limit=REGISTER_PAGE + 1, offset=first
    )
    filters = {"office": office or "", "status": status.value if status else ""}
    filters |= {"risk": "true"} if risk else {}
    zones = {o.code: o.calendar.zone() for o in directory.offices(session)}
    return page(
        request,
        "calls.html",
        who,
        calls=found[:REGISTER_PAGE],
        paging=RegisterPage(
            page_number, REGISTER_PAGE, first, more=len(found) > REGISTER_PAGE, filters=filters
        ),
        zones=zones,
        office=office,
        status=status,
        risk=risk,
        statuses=list(TicketStatus),
        offices=visible_office_list(session, who),
    )


def visible_office_list(session: SessionDep, who: SignedIn) -> list[Any]:
    return [o for o in directory.offices(session) if may_see_office(who.user, o.code)]


def form_page(
    request: Request,
    who: SignedIn,
    session: SessionDep,
    form: tuple[str, dict[str, str], dict[str, str]],
    status_code: int = 200,
) -> HTMLResponse:
    """A call form (``template``, the values typed, each field's error) to fill or fix."""
    template, values, errors = form
    return page(
        request,
        template,
        who,
        status_code=status_code,
        values=values,
        errors=errors,
        offices=visible_office_list(session, who),
    )


@router.get("/board/calls/new")
def new_call(request: Request, who: Planner, session: SessionDep) -> HTMLResponse:
    return form_page(request, who, session, ("call_form.html", {}, {}))


def field_errors(invalid: ValidationError) -> dict[str, str]:
    return {str(e["loc"][0]) if e["loc"] else "form": e["msg"] for e in invalid.errors()}


def read_call(form: FormData) -> tuple[dict[str, str], dict[str, Any]]:
    """The form's call fields as typed (to show again) and as the ``CallForm`` body."""
    values = {name: str(form.get(name, "")).strip() for name in FIELDS}
    body: dict[str, Any] = {
        k: v for k, v in values.items() if v and k not in ("emergency", "remote_failed")
    }
    body |= {name: _number(body[name]) for name in NUMBER_FIELDS if name in body}
    body["emergency"] = values["emergency"] == "on"
    body["remote_failed"] = values["remote_failed"] == "on"
    return values, body


def _number(text: str) -> float | str:
    """``text`` as a number, or as it is (the form then names the field and the reason)."""
    try:
        return float(text)
    except ValueError:
        return text


@router.post("/board/calls/new")
async def submit_call(request: Request, who: Planner, session: SessionDep) -> Response:
    """Register the call, or show the form again with each field's error (422)."""
    form = await request.form()
    check_csrf(request, who.page, str(form.get("csrf", "")))
    values, body = read_call(form)
    try:
        call = CallForm.model_validate(body)
        require_office(who.user, call.office)
        view, _ = tickets.intake(session, call.to_draft(), user_id=who.user.id)
    except ValidationError as invalid:
        return form_page(
            request, who, session, ("call_form.html", values, field_errors(invalid)), 422
        )
    except InvalidInputError as refused:
        session.rollback()
        return form_page(
            request, who, session, ("call_form.html", values, {"product_line": str(refused)}), 422
        )
    return RedirectResponse(f"/board/calls/{view.ticket.id}/options", status_code=303)
