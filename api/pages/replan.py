"""The emergency team's re-plan form: the urgent call and ``as_of`` in one submit, as
``POST /api/v1/replans`` takes them: the call is registered and the scope's running day
re-planned at once, or nothing is stored."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import AwareDatetime, BaseModel, Field, ValidationError

from api.deps import RunnerDep, SessionDep, SettingsDep
from api.pages.board import Planner, today
from api.pages.calls import field_errors, form_page, read_call
from api.pages.session import SignedIn, check_csrf
from dispatch.services import jobs, tickets
from dispatch.services.auth import require_role
from dispatch.services.call_form import CallForm
from dispatch.services.publishing import covers
from dispatch.store.jobs import JobAlreadyRunningError
from dispatch.store.users import Role

router = APIRouter(include_in_schema=False)


def emergency(who: Planner) -> SignedIn:
    require_role(who.user, Role.EMERGENCY, Role.ADMIN)
    return who


Emergency = Annotated[SignedIn, Depends(emergency)]


class ReplanForm(BaseModel):
    scope: str = Field(min_length=1, max_length=200)
    date: date
    as_of: AwareDatetime
    seconds: int = Field(default=5, ge=1, le=600)


@router.get("/board/replan")
def replan_form(
    request: Request,
    who: Emergency,
    session: SessionDep,
    scope: Annotated[str, Query(max_length=200)] = "ALL",
    day: Annotated[date | None, Query(alias="date")] = None,
) -> HTMLResponse:
    values = {"scope": scope, "date": str(day or today()), "emergency": "on", "seconds": "5"}
    return form_page(request, who, session, ("replan.html", values, {}))


@router.post("/board/replan")
async def submit_replan(
    request: Request,
    who: Emergency,
    session: SessionDep,
    settings: SettingsDep,
    runner: RunnerDep,
    background: BackgroundTasks,
) -> Response:
    """Register the urgent call and queue the re-plan, or show every field's error (422)."""
    form = await request.form()
    check_csrf(request, who.page, str(form.get("csrf", "")))
    values, body = read_call(form)
    extra = {name: str(form.get(name, "")).strip() for name in ReplanForm.model_fields}
    values |= extra
    errors: dict[str, str] = {}
    try:
        call: CallForm | None = CallForm.model_validate(body)
    except ValidationError as invalid:
        call, errors = None, field_errors(invalid)
    try:
        replan = ReplanForm.model_validate({k: v for k, v in extra.items() if v})
    except ValidationError as invalid:
        return form_page(
            request, who, session, ("replan.html", values, errors | field_errors(invalid)), 422
        )
    if call is None:
        return form_page(request, who, session, ("replan.html", values, errors), 422)
    return _queue(
        request, who, session, values, call, replan, settings.solve_seconds_max, runner, background
    )


def _queue(
    request: Request,
    who: SignedIn,
    session: SessionDep,
    values: dict[str, str],
    call: CallForm,
    replan: ReplanForm,
    max_seconds: int,
    runner: Any,
    background: BackgroundTasks,
) -> Response:
    codes = jobs.canonical_scope(session, replan.scope)
    if not covers(codes, call.office):
        return form_page(
            request,
            who,
            session,
            ("replan.html", values, {"office": "not in the re-plan scope"}),
            422,
        )
    try:
        tickets.intake(session, call.to_draft(), user_id=who.user.id)
        seconds = min(replan.seconds, max_seconds)
        wanted = jobs.SolveRequest(
            jobs.REPLAN, codes, replan.date, seconds, who.user.id, replan.as_of
        )
        job = jobs.request_solve(session, wanted)
    except JobAlreadyRunningError as running:
        session.rollback()
        busy = f"job {running.job.id} is already solving this scope and day"
        return form_page(request, who, session, ("replan.html", values, {"scope": busy}), 409)
    except ValueError as refused:
        session.rollback()
        return form_page(
            request, who, session, ("replan.html", values, {"product_line": str(refused)}), 422
        )
    background.add_task(runner.submit, job.id)
    return RedirectResponse(f"/board/jobs/{job.id}", status_code=303)
