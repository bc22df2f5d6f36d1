"""The FastAPI application: ``create_app(settings)``; ``dispatch serve`` runs it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI

from api import pages, problems
from api.limits import BodySizeLimit
from api.metrics import Metrics
from api.problems import problem_responses
from api.ratelimit import RateLimit
from api.routers import engineers, health, jobs, plans, reports, tickets
from api.runner import LocalProcessRunner
from api.settings import ApiSettings
from dispatch.store.database import make_engine, session_factory, session_scope
from dispatch.store.jobs import JobRepository

API_V1 = "/api/v1"
DESCRIPTION = """Plans on-site service jobs for the regional offices: dispatchers request
and publish plans, engineers fetch their routes and report progress, emergency teams
re-plan the running day. Authenticate with `Authorization: Bearer <token>`."""


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the database, fail the jobs a previous server left live, own the job runner."""
    settings: ApiSettings = app.state.settings
    metrics: Metrics = app.state.metrics
    engine = make_engine(settings.database_url, connections=pool_connections(settings))
    factory = session_factory(engine)
    with session_scope(factory) as session:
        JobRepository(session).fail_all_live("the server restarted before the job ended")
    runner = LocalProcessRunner(
        settings.database_url,
        factory,
        workers=settings.solve_workers,
        on_finished=metrics.observe_solve,
    )
    app.state.session_factory = factory
    app.state.database_turns = anyio.Semaphore(settings.db_connections)
    app.state.runner = runner
    try:
        yield
    finally:
        runner.shutdown()
        engine.dispose()


RUNNER_CONNECTIONS_PER_WORKER = 2
"""A job's thread reads and writes its row; a spare for the one starting next."""


def pool_connections(settings: ApiSettings) -> int:
    """A connection per database permit of requests, plus what the job runner may hold."""
    return settings.db_connections + RUNNER_CONNECTIONS_PER_WORKER * settings.solve_workers


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
    app.middleware("http")(metrics.middleware)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        RateLimit,
        per_address=settings.limit(settings.rate_limit_per_address),
        per_token=settings.limit(settings.rate_limit_per_token),
        failed_auth=settings.limit(settings.rate_limit_failed_auth),
    )
    app.include_router(health.router)
    pages.install(app, settings)
    for module in (tickets, plans, jobs, engineers, reports):
        app.include_router(module.router, prefix=API_V1, responses=problem_responses(429))
    return app


def app_from_environment() -> FastAPI:
    """Factory for ``uvicorn --factory api.main:app_from_environment``."""
    return create_app()
