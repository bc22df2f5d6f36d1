"""``/api/v1/plans`` and ``/api/v1/replans``: request solves, read and publish plans."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Path, Response
from sqlalchemy.orm import Session

from api.conditional import invalid, set_etag
from api.deps import RunnerDep, SessionDep, SettingsDep, UserDep
from api.problems import problem_responses
from api.query import KnownQueryOnly
from api.schemas import (
    JobOut,
    PlanOut,
    PlanRequest,
    PublishOut,
    ReplanOut,
    ReplanRequest,
    TicketOut,
)
from api.settings import ApiSettings
from dispatch.errors import ConflictError
from dispatch.services import jobs, tickets
from dispatch.services.auth import require_role, require_scope
from dispatch.services.plan_document import PlanDocument, load_plan_document, plan_of
from dispatch.services.publishing import covers, publish_plan
from dispatch.store.jobs import JobAlreadyRunningError, JobRepository, SolveJob
from dispatch.store.plans import scope_key
from dispatch.store.users import Role, User

router = APIRouter(tags=["plans"], dependencies=[KnownQueryOnly])
PlanId = Annotated[int, Path(ge=1, le=2**31 - 1)]
PLANNERS = (Role.DISPATCHER, Role.EMERGENCY, Role.ADMIN)


def _seconds(settings: ApiSettings, body: PlanRequest) -> int:
    """The solve limit: the request's, capped, or the default for a plan or a re-plan."""
    requested = body.seconds
    if requested is None:
        if isinstance(body, ReplanRequest):
            return settings.replan_seconds_default
        return settings.solve_seconds_default
    if requested > settings.solve_seconds_max:
        raise invalid(("body", "seconds"), f"at most {settings.solve_seconds_max} seconds")
    return requested


def _queue(session: Session, user: User, body: PlanRequest, settings: ApiSettings) -> SolveJob:
    scope = jobs.canonical_scope(session, body.scope)
    require_scope(user, scope)
    seconds = _seconds(settings, body)
    if isinstance(body, ReplanRequest):
        request = jobs.SolveRequest(jobs.REPLAN, scope, body.date, seconds, user.id, body.as_of)
    else:
        request = jobs.SolveRequest(jobs.PLAN, scope, body.date, seconds, user.id)
    try:
        return jobs.request_solve(session, request)
    except JobAlreadyRunningError:
        raise
    except ConflictError as lost:
        raise _race_lost_to(session, request) or lost from lost


def _race_lost_to(session: Session, request: jobs.SolveRequest) -> JobAlreadyRunningError | None:
    """The 409 naming the job of a request that won the race for the scope and day.

    Both requests passed the check for a live job; this one's insert then collided with
    the winner's on the unique ``active_key``. Its transaction is rolled back (nothing of
    the request is kept, as for any 409) and the winner's job read, so the client can
    follow it; None if that job has already ended.
    """
    session.rollback()
    live = JobRepository(session).live(scope_key(request.scope), request.day)
    return None if live is None else JobAlreadyRunningError(live)


def _accepted(response: Response, job: SolveJob) -> None:
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"


@router.post(
    "/plans", status_code=202, responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 503)
)
def request_plan(
    body: PlanRequest,
    session: SessionDep,
    user: UserDep,
    settings: SettingsDep,
    runner: RunnerDep,
    background: BackgroundTasks,
    response: Response,
) -> JobOut:
    """Queue a solve of the scope's day: 202 with the job to poll (``Location``).

    409 with ``job_id`` when a solve of the same scope and day is queued or running.
    """
    require_role(user, *PLANNERS)
    runner.check()
    job = _queue(session, user, body, settings)
    background.add_task(runner.submit, job.id)
    _accepted(response, job)
    return JobOut.model_validate(job)


@router.post(
    "/replans", status_code=202, responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 503)
)
def request_replan(
    body: ReplanRequest,
    session: SessionDep,
    user: UserDep,
    settings: SettingsDep,
    runner: RunnerDep,
    background: BackgroundTasks,
    response: Response,
) -> ReplanOut:
    """Emergency: register the urgent calls and re-plan their scope's day at once.

    All or nothing: if the scope is busy (409) or a ticket is invalid, nothing is stored.
    """
    require_role(user, Role.EMERGENCY, Role.ADMIN)
    scope = jobs.canonical_scope(session, body.scope)
    for index, ticket in enumerate(body.tickets):
        if not covers(scope, ticket.office):
            raise invalid(("body", "tickets", str(index), "office"), "not in the re-plan scope")
    runner.check()
    added = [tickets.intake(session, t.to_draft(), user_id=user.id)[0] for t in body.tickets]
    job = _queue(session, user, body, settings)
    background.add_task(runner.submit, job.id)
    _accepted(response, job)
    return ReplanOut(
        job=JobOut.model_validate(job), tickets=[TicketOut.model_validate(v.ticket) for v in added]
    )


@router.get("/plans/{plan_id}", responses=problem_responses(401, 403, 404, 422))
def get_plan(plan_id: PlanId, session: SessionDep, user: UserDep, response: Response) -> PlanOut:
    """A plan version with its visits, KPIs and the reasons for unassigned or late jobs."""
    require_role(user, *PLANNERS)
    plan = plan_of(session, plan_id)
    require_scope(user, plan.scope)
    set_etag(response, plan.version)
    return PlanOut.model_validate(plan)


@router.get("/plans/{plan_id}/document", responses=problem_responses(401, 403, 404, 422))
def get_plan_document(
    plan_id: PlanId, session: SessionDep, user: UserDep, response: Response
) -> PlanDocument:
    """The plan as the board and ``dispatch plan --json`` show it: routes per engineer
    with stops in office time, unassigned tickets with reasons, typed KPIs."""
    require_role(user, *PLANNERS)
    plan = plan_of(session, plan_id)
    require_scope(user, plan.scope)
    set_etag(response, plan.version)
    return load_plan_document(session, plan)


@router.post("/plans/{plan_id}/publish", responses=problem_responses(401, 403, 404, 409, 422))
def publish(plan_id: PlanId, session: SessionDep, user: UserDep) -> PublishOut:
    """Publish a plan: its tickets become ``dispatched``; engineers now see it.

    Idempotent: publishing again changes nothing and reports no ticket moved.
    """
    require_role(user, *PLANNERS)
    require_scope(user, plan_of(session, plan_id).scope)
    result = publish_plan(session, plan_id)
    return PublishOut(
        plan_id=result.plan.id,
        published=result.plan.published,
        dispatched=list(result.dispatched),
        released=list(result.released),
    )
