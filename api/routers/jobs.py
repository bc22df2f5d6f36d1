"""``/api/v1/jobs``: poll, follow (server-sent events) and cancel solve jobs."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import APIRouter, BackgroundTasks, Path, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from api.deps import RunnerDep, SessionDep, SettingsDep, UserDep
from api.problems import problem_responses
from api.query import KnownQueryOnly
from api.schemas import JobOut
from api.settings import ApiSettings
from dispatch.errors import ConflictError
from dispatch.services import jobs
from dispatch.services.auth import require_role, require_scope
from dispatch.services.jobs import cancel_job
from dispatch.store.database import session_scope
from dispatch.store.jobs import JobStatus, SolveJob
from dispatch.store.users import Role, User

router = APIRouter(prefix="/jobs", tags=["jobs"], dependencies=[KnownQueryOnly])
JobId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _visible_job(session: Session, user: User, job_id: int) -> SolveJob:
    require_role(user, Role.DISPATCHER, Role.EMERGENCY, Role.ADMIN)
    job = jobs.job(session, job_id)
    require_scope(user, job.scope.split(","))
    return job


@router.get("/{job_id}", responses=problem_responses(401, 403, 404, 422))
def get_job(job_id: JobId, session: SessionDep, user: UserDep) -> JobOut:
    """Status, attempt, progress (best objective and elapsed while running; on-time count
    when done), and the plan or the failure reason."""
    return JobOut.model_validate(_visible_job(session, user, job_id))


@router.delete("/{job_id}", responses=problem_responses(401, 403, 404, 409, 422))
def cancel(
    job_id: JobId,
    session: SessionDep,
    user: UserDep,
    runner: RunnerDep,
    background: BackgroundTasks,
) -> JobOut:
    """Cancel a queued or running job (its worker is stopped); 409 if it already ended."""
    _visible_job(session, user, job_id)
    job, cancelled = cancel_job(session, job_id)
    if not cancelled and job.status is not JobStatus.CANCELLED:
        raise ConflictError(f"job {job_id} already {job.status.value}")
    background.add_task(runner.cancel, job_id)
    return JobOut.model_validate(job)


@router.get(
    "/{job_id}/events",
    response_class=StreamingResponse,
    responses=problem_responses(
        401,
        403,
        404,
        422,
        s200={"content": {"text/event-stream": {}}, "description": "Progress events"},
    ),
)
def job_events(
    job_id: JobId, request: Request, session: SessionDep, user: UserDep, settings: SettingsDep
) -> StreamingResponse:
    """Server-sent events: ``progress`` whenever the job changes, then one ``done``."""
    _visible_job(session, user, job_id)
    return stream_job_events(request, settings, job_id)


def stream_job_events(request: Request, settings: ApiSettings, job_id: int) -> StreamingResponse:
    """The job's progress as server-sent events (the caller has checked access)."""
    stream = _events(
        request.app.state.session_factory,
        job_id,
        settings.events_poll_seconds,
        settings.events_max_seconds,
    )
    return StreamingResponse(stream, media_type="text/event-stream")


async def _events(
    factory: sessionmaker[Session], job_id: int, poll_s: float, max_s: float
) -> AsyncIterator[str]:
    last = ""
    ends = time.monotonic() + max_s
    while True:
        job = await anyio.to_thread.run_sync(_read_job, factory, job_id)
        data = JobOut.model_validate(job).model_dump_json()
        if job.done:
            yield f"event: done\ndata: {data}\n\n"
            return
        if data != last:
            yield f"event: progress\ndata: {data}\n\n"
            last = data
        if time.monotonic() > ends:
            yield f"event: timeout\ndata: {json.dumps({'job_id': job_id})}\n\n"
            return
        await anyio.sleep(poll_s)


def _read_job(factory: sessionmaker[Session], job_id: int) -> SolveJob:
    with session_scope(factory) as session:
        return jobs.job(session, job_id)
