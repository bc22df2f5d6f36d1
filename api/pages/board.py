"""The dispatcher's and emergency team's board: timeline, map, exceptions, KPIs; plan,
watch the solve, compare with the published version, publish; calls; re-plans."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from pydantic import AwareDatetime

from api.deps import RunnerDep, SessionDep, SettingsDep
from api.pages.basemap import provinces_geojson
from api.pages.board_data import map_data, vis_timeline_data
from api.pages.render import page
from api.pages.session import SignedIn, check_csrf, signed_in
from api.routers.jobs import stream_job_events
from dispatch.errors import ConflictError
from dispatch.services import directory, jobs
from dispatch.services.auth import may_see_office, require_role, require_scope
from dispatch.services.board import board, plan_comparison
from dispatch.services.plan_document import plan_of
from dispatch.services.publishing import publish_plan
from dispatch.services.timeline import hour_ticks
from dispatch.store.jobs import JobAlreadyRunningError
from dispatch.store.users import Role, User

router = APIRouter(include_in_schema=False)
PLANNERS = (Role.DISPATCHER, Role.EMERGENCY, Role.ADMIN)
HEAD_OFFICE_ZONE = ZoneInfo("Asia/Shanghai")
"""Whose date is the board's default day, as for ``dispatch plan``."""


def planner(who: Annotated[SignedIn, Depends(signed_in)]) -> SignedIn:
    """A signed-in dispatcher, emergency team member or admin; 403 for engineers."""
    require_role(who.user, *PLANNERS)
    return who


Planner = Annotated[SignedIn, Depends(planner)]
Csrf = Annotated[str, Form(max_length=100)]


def default_scope(user: User) -> str:
    if user.role is Role.DISPATCHER:
        return ",".join(sorted(user.offices))
    return "ALL"


def today() -> date:
    return datetime.now(HEAD_OFFICE_ZONE).date()


@router.get("/board")
def board_page(
    request: Request,
    who: Planner,
    session: SessionDep,
    settings: SettingsDep,
    scope: Annotated[str | None, Query(max_length=200)] = None,
    day: Annotated[date | None, Query(alias="date")] = None,
    timeline: Annotated[Literal["svg", "vis"], Query()] = "svg",
) -> HTMLResponse:
    chosen = scope or default_scope(who.user)
    codes = jobs.canonical_scope(session, chosen)
    require_scope(who.user, codes)
    everything = directory.offices(session)
    offices = [o for o in everything if may_see_office(who.user, o.code)]
    regions = sorted(
        {o.region for o in offices}
        - {o.region for o in everything if not may_see_office(who.user, o.code)}
    )
    view = board(session, chosen, day or today())
    return page(
        request,
        "board.html",
        who,
        board=view,
        scope=chosen,
        offices=offices,
        regions=regions,
        ticks=hour_ticks(),
        map_data=map_data(view),
        timeline=timeline,
        timeline_data=vis_timeline_data(view) if timeline == "vis" else None,
        tile_url=settings.board_tile_url,
        tile_attribution=settings.board_tile_attribution,
        emergency=who.user.role in (Role.EMERGENCY, Role.ADMIN),
    )


@router.get("/board/provinces.geojson")
def provinces() -> Response:
    """The map's offline basemap (public data, the same for everyone: cached a day)."""
    return Response(
        provinces_geojson(),
        media_type="application/geo+json",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.post("/board/plan")
def start_plan(
    request: Request,
    who: Planner,
    session: SessionDep,
    runner: RunnerDep,
    settings: SettingsDep,
    background: BackgroundTasks,
    csrf: Csrf,
    scope: Annotated[str, Form(max_length=200)],
    day: Annotated[date, Form(alias="date")],
    seconds: Annotated[int, Form(ge=1)] = 5,
    as_of: Annotated[AwareDatetime | None, Form()] = None,
) -> RedirectResponse:
    """Queue a plan (or, with ``as_of``, an emergency re-plan) and watch it."""
    check_csrf(request, who.page, csrf)
    codes = jobs.canonical_scope(session, scope)
    require_scope(who.user, codes)
    seconds = min(seconds, settings.solve_seconds_max)
    if as_of is not None:
        require_role(who.user, Role.EMERGENCY, Role.ADMIN)
        wanted = jobs.SolveRequest(jobs.REPLAN, codes, day, seconds, who.user.id, as_of)
    else:
        wanted = jobs.SolveRequest(jobs.PLAN, codes, day, seconds, who.user.id)
    try:
        job = jobs.request_solve(session, wanted)
    except JobAlreadyRunningError as running:
        return RedirectResponse(f"/board/jobs/{running.job.id}", status_code=303)
    background.add_task(runner.submit, job.id)
    return RedirectResponse(f"/board/jobs/{job.id}", status_code=303)


@router.get("/board/jobs/{job_id}")
def job_page(request: Request, who: Planner, session: SessionDep, job_id: int) -> HTMLResponse:
    job = jobs.job(session, job_id)
    require_scope(who.user, job.scope.split(","))
    return page(request, "job.html", who, job=job)


@router.get("/board/jobs/{job_id}/events")
def job_events(
    request: Request, who: Planner, session: SessionDep, settings: SettingsDep, job_id: int
) -> StreamingResponse:
    """The API's progress stream, for the page's session instead of a bearer token."""
    job = jobs.job(session, job_id)
    require_scope(who.user, job.scope.split(","))
    return stream_job_events(request, settings, job_id)


@router.get("/board/plans/{plan_id}")
def plan_page(request: Request, who: Planner, session: SessionDep, plan_id: int) -> HTMLResponse:
    """The version side by side with the published one, and the publish button."""
    require_scope(who.user, plan_of(session, plan_id).scope)
    return page(
        request,
        "plan.html",
        who,
        view=plan_comparison(session, plan_id),
        ticks=hour_ticks(),
        conflict=None,
    )


@router.post("/board/plans/{plan_id}/publish")
def publish(
    request: Request,
    who: Planner,
    session: SessionDep,
    plan_id: int,
    csrf: Csrf,
    if_match: Annotated[int, Form()],
) -> Response:
    """Publish the version the dispatcher looked at; a newer one published meanwhile,
    or a version number that is not this plan's, shows the conflict instead."""
    check_csrf(request, who.page, csrf)
    plan = plan_of(session, plan_id)
    require_scope(who.user, plan.scope)
    try:
        if if_match != plan.version:
            raise ConflictError(f"you looked at version {if_match}; this plan is {plan.version}")
        publish_plan(session, plan_id)
    except ConflictError as conflict:
        session.rollback()
        return page(
            request,
            "plan.html",
            who,
            status_code=409,
            view=plan_comparison(session, plan_id),
            ticks=hour_ticks(),
            conflict=str(conflict),
        )
    scope = ",".join(plan.scope)
    return RedirectResponse(f"/board?scope={scope}&date={plan.plan_date}", status_code=303)
