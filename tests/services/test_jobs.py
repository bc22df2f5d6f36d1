"""Solve jobs: one live job per scope and day; the worker body run in this process."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from dispatch.services import jobs
from dispatch.services.jobs import PLAN, SolveRequest, request_solve, run_job
from dispatch.store.database import make_engine, session_factory
from dispatch.store.jobs import JobAlreadyRunningError, JobRepository, JobStatus
from dispatch.store.repository import PlanRepository
from solver import Progress
from tests.api.conftest import DAY, add_ticket, load_organisation


@pytest.fixture(autouse=True)
def organisation(session: Session) -> None:
    load_organisation(session)


def _queue(session: Session, scope: str = "SH", seconds: int = 1) -> int:
    job = request_solve(session, SolveRequest(PLAN, (scope,), DAY, seconds, None))
    session.commit()
    return job.id


def test_a_second_live_job_for_the_scope_and_day_is_refused(session: Session) -> None:
    first = _queue(session)
    with pytest.raises(JobAlreadyRunningError) as refused:
        _queue(session)
    assert refused.value.job.id == first
    session.rollback()
    JobRepository(session).cancel(first)
    session.commit()
    assert _queue(session) != first


def test_the_worker_stores_the_plan_and_ends_the_job(database_url: str, session: Session) -> None:
    ticket = add_ticket(session)
    job_id = _queue(session)
    run_job(database_url, job_id)
    job = JobRepository(session).get(job_id)
    assert (job.status, job.attempt) == (JobStatus.SUCCEEDED, 1)
    assert job.plan_id is not None
    plan = PlanRepository(session).get(job.plan_id)
    assert ticket.id in {v.ticket_id for v in plan.visits} | {t for t, _ in plan.unassigned}
    assert job.progress["best_objective"] is not None


def test_a_cancelled_job_is_not_run(database_url: str, session: Session) -> None:
    job_id = _queue(session)
    JobRepository(session).cancel(job_id)
    session.commit()
    run_job(database_url, job_id)
    job = JobRepository(session).get(job_id)
    assert (job.status, job.attempt, job.plan_id) == (JobStatus.CANCELLED, 0, None)


def test_a_failing_solve_ends_the_job_failed_with_the_reason(
    database_url: str, session: Session
) -> None:
    job_id = _queue(session, scope="XX")
    run_job(database_url, job_id)
    job = JobRepository(session).get(job_id)
    assert job.status is JobStatus.FAILED
    assert job.failure_reason is not None and "XX" in job.failure_reason


def test_live_jobs_of_a_dead_runner_are_failed_at_startup(session: Session) -> None:
    job_id = _queue(session)
    assert JobRepository(session).fail_all_live("restarted") == 1
    job = JobRepository(session).get(job_id)
    assert (job.status, job.failure_reason) == (JobStatus.FAILED, "restarted")


def test_progress_keeps_the_lowest_objective_heard(
    database_url: str, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL_S", 0.0)
    job_id = _queue(session)
    assert JobRepository(session).claim(job_id, worker="test")
    session.commit()
    engine = make_engine(database_url)
    write = jobs._ProgressWriter(session_factory(engine), job_id)
    write(Progress(objective=100, elapsed_s=1.0, solutions=1, engine="parts"))
    write(Progress(objective=250, elapsed_s=2.0, solutions=1, engine="ortools"))
    engine.dispose()
    session.expire_all()
    assert JobRepository(session).get(job_id).progress["best_objective"] == 100
