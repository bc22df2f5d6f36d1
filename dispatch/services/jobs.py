"""Solve jobs: queue a plan for a scope and day, run it in a worker, end it cleanly.

The API only writes the job row and hands its id to a ``JobRunner``; the runner starts
``run_job`` somewhere else (a local process, later a distributed worker). ``run_job``
opens its own database session, reports progress on the job row, stores the plan and
marks the job succeeded in one transaction, and only if the job is still running: a
job cancelled or declared dead meanwhile leaves no plan behind.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, Protocol

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from dispatch.services.leases import LeaseKeeper
from dispatch.services.logs import job_context
from dispatch.services.planning import (
    load_planning_problem,
    offices_in_scope,
    solve_plan,
    store_plan,
)
from dispatch.services.replanning import replan
from dispatch.store.database import make_engine, session_factory, session_scope
from dispatch.store.jobs import LIVE_STATUSES, JobRepository, JobStatus, SolveJob
from dispatch.store.outage import while_unreachable
from dispatch.store.plans import scope_key
from solver import Progress, SolveParams

PLAN = "plan"
REPLAN = "replan"
PROGRESS_INTERVAL_S = 0.5
"""At most one progress write per job this often."""
FAILURE_PATIENCE_S = 60.0
"""How long a worker keeps trying to record its job's failure while the database is
unreachable; after that the process exits with the error and its runner fails the job."""
log = logging.getLogger(__name__)


class RunnerUnavailableError(Exception):
    """Solves cannot be started now (the job broker is unreachable): try again later."""


class JobRunner(Protocol):
    """Where solves run. The API depends on this only."""

    def check(self) -> None:
        """``RunnerUnavailableError`` if a job submitted now could not start."""

    def status(self) -> dict[str, Any]:
        """What the runner can see of its workers (for ``/readyz``)."""

    def submit(self, job_id: int) -> None:
        """Start the queued job ``job_id`` eventually; it calls ``run_job`` for it."""

    def cancel(self, job_id: int) -> None:
        """Stop the job's solve if it is running (its row is already marked cancelled)."""


@dataclass(frozen=True, slots=True)
class SolveRequest:
    kind: str
    scope: tuple[str, ...]
    day: date
    seconds: int
    requested_by: int | None
    as_of: datetime | None = None
    """For a re-plan: the moment of the running day to re-plan from."""


def canonical_scope(session: Session, scope: str) -> tuple[str, ...]:
    """``ALL``, ``region:NAME`` or office codes -> the codes a plan is stored under."""
    return offices_in_scope(session, scope)[1]


def request_solve(session: Session, request: SolveRequest) -> SolveJob:
    """Queue a job; ``JobAlreadyRunningError`` if the scope and day already have one."""
    return JobRepository(session).add(
        kind=request.kind,
        scope=scope_key(request.scope),
        plan_date=request.day,
        seconds=request.seconds,
        requested_by=request.requested_by,
        as_of=request.as_of,
    )


def job(session: Session, job_id: int) -> SolveJob:
    """The solve job, or ``NotFoundError``."""
    return JobRepository(session).get(job_id)


def queue_depths(session: Session) -> dict[JobStatus, int]:
    """How many jobs wait or run, per live status (raises if the database is unreachable)."""
    jobs = JobRepository(session)
    return {status: jobs.count([status]) for status in LIVE_STATUSES}


def cancel_job(session: Session, job_id: int) -> tuple[SolveJob, bool]:
    """Cancel a live job; returns the job and whether this call cancelled it."""
    jobs = JobRepository(session)
    jobs.get(job_id)
    cancelled = jobs.cancel(job_id)
    return jobs.get(job_id), cancelled


@cache
def _factory(database_url: str) -> sessionmaker[Session]:
    return session_factory(make_engine(database_url))


def run_job(
    database_url: str,
    job_id: int,
    *,
    lease_s: float | None = None,
    on_lost: Callable[[], None] | None = None,
    adapt: Callable[[SolveParams], SolveParams] | None = None,
) -> None:
    """Worker entry point: claim the job, solve, store the plan, finish the job.

    Any exception ends the job ``failed`` with the exception as its reason; the process
    exits normally, so the runner can tell a failed solve from a crashed worker. With
    ``lease_s`` (queue workers) the job is held by a lease renewed while it runs
    (``dispatch.services.leases``). Only the attempt that claimed the job can end it: a
    task delivered twice finds the job claimed and does nothing. ``on_lost`` is called
    if the job stops being this attempt's while it runs (cancelled, retried elsewhere).
    ``adapt`` changes the solve's parameters (a queue worker sends a large day's parts
    to other workers).
    """
    factory = _factory(database_url)
    with session_scope(factory) as session:
        worker = f"{socket.gethostname()} pid {os.getpid()}"
        if not JobRepository(session).claim(job_id, worker=worker, lease_s=lease_s):
            log.info("job %s is not queued (already claimed or ended); nothing to do", job_id)
            return
        job = JobRepository(session).get(job_id)
    with job_context(job.id, job.attempt):
        log.info(
            "job %s attempt %s started (%s %s %s)",
            job.id,
            job.attempt,
            job.kind,
            job.scope,
            job.plan_date,
        )
        if lease_s is None:
            _attempt(factory, job, adapt)
            return
        with LeaseKeeper(factory, job.id, job.attempt, lease_s, on_lost):
            _attempt(factory, job, adapt)


def _attempt(
    factory: sessionmaker[Session],
    job: SolveJob,
    adapt: Callable[[SolveParams], SolveParams] | None = None,
) -> None:
    try:
        _solve(factory, job, adapt)
    except Exception as error:
        log.exception("job %s attempt %s failed", job.id, job.attempt)
        reason = f"{type(error).__name__}: {error}"
        while_unreachable(
            lambda: _record_failure(factory, job, reason),
            patience_s=FAILURE_PATIENCE_S,
            what=f"failing job {job.id}",
        )
    else:
        log.info("job %s attempt %s ended", job.id, job.attempt)


def _record_failure(factory: sessionmaker[Session], job: SolveJob, reason: str) -> None:
    with session_scope(factory) as session:
        JobRepository(session).fail(job.id, reason, attempt=job.attempt)


def _solve(
    factory: sessionmaker[Session],
    job: SolveJob,
    adapt: Callable[[SolveParams], SolveParams] | None = None,
) -> None:
    """Plan or re-plan; the plan and the job's success are committed together."""
    params = SolveParams(
        time_limit_s=float(job.seconds), workers=1, on_progress=_ProgressWriter(factory, job.id)
    )
    if adapt is not None:
        params = adapt(params)
    if job.kind == REPLAN:
        _replan(factory, job, params)
    else:
        _plan(factory, job, params)


def _plan(factory: sessionmaker[Session], job: SolveJob, params: SolveParams) -> None:
    """Load, then solve without holding a session, then store.

    With a parts executor (a queue worker's ``QueueParts``) a day beyond the full-matrix
    caps is loaded as an outline and solved in parts (``dispatch.services.problem_builder``).
    """
    with session_scope(factory) as session:
        key, planning = load_planning_problem(
            session, scope=job.scope, day=job.plan_date, large_days=params.parts is not None
        )
    draft, _ = solve_plan(planning, scope=key, day=job.plan_date, params=params)
    with session_scope(factory) as session:
        plan = store_plan(session, draft)
        _finish(session, job, plan.id, _outcome(plan.kpis))


def _replan(factory: sessionmaker[Session], job: SolveJob, params: SolveParams) -> None:
    """Re-plan the running day from ``as_of``, reporting whose next stop changed."""
    as_of = job.as_of or datetime.now(UTC)
    with session_scope(factory) as session:
        report = replan(session, scope=job.scope, day=job.plan_date, as_of=as_of, params=params)
        changes = {
            "routes_changed": len(report.changed_engineers),
            "changed_engineers": list(report.changed_engineers),
        }
        _finish(session, job, report.plan.id, _outcome(report.plan.kpis) | changes)


def _outcome(kpis: dict[str, Any]) -> dict[str, Any]:
    """The job's final progress, from the stored plan's KPIs."""
    return {
        "best_objective": kpis.get("objective"),
        "elapsed_s": kpis.get("solve_seconds"),
        "on_time": kpis.get("on_time"),
        "assigned": kpis.get("assigned"),
        "unassigned": kpis.get("unassigned"),
    }


def _finish(session: Session, job: SolveJob, plan_id: int, progress: dict[str, Any]) -> None:
    """Mark the job succeeded with its plan, unless it ended meanwhile or another attempt
    took it over (or somehow already stored a plan): then keep no plan."""
    jobs = JobRepository(session)
    if not jobs.succeed(job.id, plan_id=plan_id, progress=progress, attempt=job.attempt):
        log.warning(
            "job %s attempt %s: result discarded, the job is no longer this attempt's",
            job.id,
            job.attempt,
        )
        session.rollback()


class _ProgressWriter:
    """The solver's progress callback: writes the best solution so far to the job row.

    Throttled to one write per ``PROGRESS_INTERVAL_S``: the solver may report hundreds of
    improvements a second. The solver's engines take turns and each reports its own
    best, so the writer keeps the lowest objective heard so far. Progress is best effort:
    while the database is unreachable the solve goes on and the writes are skipped.
    """

    def __init__(self, factory: sessionmaker[Session], job_id: int) -> None:
        self._factory = factory
        self._job_id = job_id
        self._last = 0.0
        self._best: int | None = None

    def __call__(self, progress: Progress) -> None:
        if self._best is None or progress.objective < self._best:
            self._best = progress.objective
        now = time.monotonic()
        if now - self._last < PROGRESS_INTERVAL_S:
            return
        self._last = now
        values = {
            "best_objective": self._best,
            "elapsed_s": round(progress.elapsed_s, 2),
            "solutions": progress.solutions,
        }
        try:
            with session_scope(self._factory) as session:
                JobRepository(session).report_progress(self._job_id, values)
        except OperationalError:
            log.warning("job %s: progress not written, the database is unreachable", self._job_id)
