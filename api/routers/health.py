"""Liveness, readiness and Prometheus metrics (no authentication)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import MetricsDep, RunnerDep, SessionDep
from api.problems import problem, problem_responses
from dispatch.services.jobs import queue_depths

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up: answered on the event loop, needing no thread and no connection."""
    return {"status": "ok"}


@router.get("/readyz", responses=problem_responses(503))
def readyz(session: SessionDep, runner: RunnerDep) -> Response:
    """The database answers (else 503); with it, what the job runner sees: the broker and
    the workers consuming each queue. A broker outage alone leaves the process ready:
    reads still work, and new jobs get their own 503."""
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return problem(503, f"database unreachable: {type(error).__name__}")
    return JSONResponse({"status": "ready", "jobs": runner.status()})


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
def metrics(session: SessionDep, registry: MetricsDep, runner: RunnerDep) -> Response:
    """Prometheus text format: request latency, solve durations, live solve jobs.

    Answers even while the database is unreachable (``database_up`` 0, the job gauges
    keep their last values): an outage is exactly when the metrics are wanted.
    """
    try:
        for status, depth in queue_depths(session).items():
            registry.queue_depth.labels(status.value).set(depth)
    except SQLAlchemyError:
        session.rollback()
        registry.database_up.set(0)
    else:
        registry.database_up.set(1)
    registry.observe_runner(runner.status())
    return registry.render()
