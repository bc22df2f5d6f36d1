"""Liveness, readiness and Prometheus metrics (no authentication)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import MetricsDep, SessionDep
from api.problems import problem, problem_responses
from dispatch.store.jobs import LIVE_STATUSES, JobRepository

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up: answered on the event loop, needing no thread and no connection."""
    return {"status": "ok"}


@router.get("/readyz", responses=problem_responses(503))
def readyz(session: SessionDep) -> Response:
    """The database answers."""
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return problem(503, f"database unreachable: {type(error).__name__}")
    return Response('{"status":"ready"}', media_type="application/json")


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
def metrics(session: SessionDep, registry: MetricsDep) -> Response:
    """Prometheus text format: request latency, solve durations, live solve jobs."""
    jobs = JobRepository(session)
    for status in LIVE_STATUSES:
        registry.queue_depth.labels(status.value).set(jobs.count([status]))
    return registry.render()
