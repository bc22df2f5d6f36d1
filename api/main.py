"""The FastAPI application: ``create_app(settings)``; ``dispatch serve`` runs it."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

import anyio
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from api import pages, problems, unavailable
from api.limits import BodySizeLimit
from api.liveness import Liveness
from api.loop_watch import LoopWatch
from api.metrics import Metrics, RequestTiming
from api.openapi import state_server_limits
from api.problems import problem_responses
from api.ratelimit import RateLimit
from api.request_id import RequestId
from api.routers import (
    arrival_options,
    engineers,
    health,
    jobs,
    plans,
    reports,
    surveys,
    tickets,
)
from api.runner import LocalProcessRunner
from api.settings import ApiSettings
from dispatch.services.jobs import JobRunner
from dispatch.store.database import make_engine, session_factory, session_scope
from dispatch.store.jobs import JobRepository
from dispatch.tasks.runner import CeleryRunner

API_V1 = "/api/v1"
DESCRIPTION = """Plans on-site service jobs for the regional offices: dispatchers request
and publish plans, engineers fetch their routes and report progress, emergency teams
re-plan the running day. Authenticate with `Authorization: Bearer <token>`."""


class _Runner(JobRunner, Protocol):
    def shutdown(self, timeout: float = 5.0) -> None: ...


def _runner(settings: ApiSettings, factory: sessionmaker[Session], metrics: Metrics) -> _Runner:
    """The job runner ``JOB_BACKEND`` names.

    Embedded: this process owns every job, so the jobs a previous server left live are
    failed at start-up. Celery: jobs belong to the queue and are held by leases, so other
    API processes' jobs are left alone and an abandoned one is retried when its lease
    expires.
    """
    if settings.job_backend == "celery":
        return CeleryRunner(
            settings,
            factory,
            on_reaped=lambda r: metrics.observe_reaped(len(r.retried), len(r.failed)),
            on_finished=metrics.observe_solve,
        )
    with session_scope(factory) as session:
        JobRepository(session).fail_all_live("the server restarted before the job ended")
    return LocalProcessRunner(
        settings.database_url,
        factory,
        workers=settings.solve_workers,
        emergency_workers=settings.emergency_workers,
        on_finished=metrics.observe_solve,
    )


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the database and own the job runner."""
    settings: ApiSettings = app.state.settings
    metrics: Metrics = app.state.metrics
    engine = make_engine(settings.database_url, connections=pool_connections(settings))
    factory = session_factory(engine)
    runner = _runner(settings, factory, metrics)
    app.state.session_factory = factory
    app.state.database_turns = anyio.Semaphore(settings.db_connections)
    app.state.runner = runner
    watch = LoopWatch(metrics)
    watch.start()
    try:
        yield
    finally:
        await watch.stop()
        runner.shutdown()
        engine.dispose()


RUNNER_CONNECTIONS_PER_WORKER = 2
"""A job's thread reads and writes its row; a spare for the one starting next."""


def pool_connections(settings: ApiSettings) -> int:
    """A connection per database permit of requests, plus what the job runner may hold."""
    workers = settings.solve_workers + settings.emergency_workers
    return settings.db_connections + RUNNER_CONNECTIONS_PER_WORKER * workers


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """The app for ``settings`` (default: from the environment).

    The lifespan reads ``app.state.settings`` when the server starts, so a test may
    point an app built at import time at its own database.
    """
    settings = settings or ApiSettings()
    metrics = Metrics(API_V1)
    app = FastAPI(title="fsdispatch", version="1.0.0", description=DESCRIPTION, lifespan=_lifespan)
    app.state.settings = settings
    app.state.metrics = metrics
    problems.install(app)
    unavailable.install(app)
    state_server_limits(app, settings)
    app.add_middleware(RequestTiming, metrics=metrics)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        RateLimit,
        per_address=settings.limit(settings.rate_limit_per_address),
        per_token=settings.limit(settings.rate_limit_per_token),
        failed_auth=settings.limit(settings.rate_limit_failed_auth),
    )
    app.add_middleware(Liveness)  # a probe passes no layer but the request id
    app.add_middleware(RequestId)
    app.include_router(health.router)
    pages.install(app, settings)
    every_operation = problem_responses(429, 503)  # rate limit; database or broker away
    for module in (tickets, arrival_options, plans, jobs, engineers, reports, surveys):
        app.include_router(module.router, prefix=API_V1, responses=every_operation)
    return app


def app_from_environment() -> FastAPI:
    """Factory for ``uvicorn --factory api.main:app_from_environment``.

    The OpenAPI document is built here, before the server listens: the check of query
    parameters reads it (``api/query.py``), and built by the first request it held the
    event loop, and every ``/healthz`` probe with it, for up to a second under load.
    """
    app = create_app()
    app.openapi()
    gc.collect()
    gc.freeze()
    return app
