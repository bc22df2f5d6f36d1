"""Job leases and one plan per job, on the store (both databases, no broker).

The queue tests (``tests/tasks``) show the same rules with real workers; these pin each
rule down where it is decided: the conditional updates on the job row.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dispatch.services.jobs import PLAN, SolveRequest, request_solve, run_job
from dispatch.services.leases import LeaseKeeper, reap_expired_leases
from dispatch.store.database import session_factory
from dispatch.store.jobs import JobRepository, JobStatus
from dispatch.store.models import PlanRow
from dispatch.store.repository import PlanRepository
from tests.api.conftest import DAY, add_ticket, load_organisation

TINY_LEASE_S = 0.01


@pytest.fixture(autouse=True)
def organisation(session: Session) -> None:
    load_organisation(session)


def _queue(session: Session) -> int:
    job = request_solve(session, SolveRequest(PLAN, ("SH",), DAY, 1, None))
    session.commit()
    return job.id


def _claim_and_let_expire(session: Session, job_id: int) -> int:
    jobs = JobRepository(session)
    assert jobs.claim(job_id, worker="lost host pid 1", lease_s=TINY_LEASE_S)
    session.commit()
    time.sleep(TINY_LEASE_S * 5)
    return jobs.get(job_id).attempt


def test_an_expired_lease_is_retried_then_failed_with_the_reason(session: Session) -> None:
    factory = session_factory(session.get_bind())  # type: ignore[arg-type]
    job_id = _queue(session)
    resent: list[int] = []
    assert _claim_and_let_expire(session, job_id) == 1
    first = reap_expired_leases(factory, max_attempts=2, resubmit=resent.append)
    assert (first.retried, first.failed, resent) == ([job_id], [], [job_id])
    assert JobRepository(session).get(job_id).status is JobStatus.QUEUED
    assert _claim_and_let_expire(session, job_id) == 2
    second = reap_expired_leases(factory, max_attempts=2, resubmit=resent.append)
    assert (second.retried, second.failed) == ([], [job_id])
    job = JobRepository(session).get(job_id)
    assert job.status is JobStatus.FAILED
    assert job.failure_reason is not None
    assert "lost host pid 1" in job.failure_reason and "attempt 2 of 2" in job.failure_reason


def test_a_live_lease_is_left_alone_and_only_one_reaper_retries_an_expired_one(
    session: Session,
) -> None:
    jobs = JobRepository(session)
    job_id = _queue(session)
    assert jobs.claim(job_id, worker="w", lease_s=60)
    session.commit()
    assert jobs.expired_leases() == []
    assert not jobs.requeue_expired(job_id, attempt=1)
    held = _queue_other(session)
    _claim_and_let_expire(session, held)
    assert jobs.requeue_expired(held, attempt=1)
    assert not jobs.requeue_expired(held, attempt=1)


def _queue_other(session: Session) -> int:
    job = request_solve(session, SolveRequest(PLAN, ("HZ",), DAY, 1, None))
    session.commit()
    return job.id


def test_an_attempt_that_lost_its_job_can_neither_renew_nor_finish_it(session: Session) -> None:
    jobs = JobRepository(session)
    job_id = _queue(session)
    _claim_and_let_expire(session, job_id)
    assert jobs.requeue_expired(job_id, attempt=1)
    assert jobs.claim(job_id, worker="second", lease_s=60)
    plan = PlanRepository(session).add(["SH"], DAY, visits=[])
    assert not jobs.renew_lease(job_id, attempt=1, lease_s=60)
    assert not jobs.succeed(job_id, plan_id=plan.id, progress={}, attempt=1)
    assert not jobs.fail(job_id, "late failure of attempt 1", attempt=1)
    assert jobs.renew_lease(job_id, attempt=2, lease_s=60)
    assert jobs.succeed(job_id, plan_id=plan.id, progress={}, attempt=2)


def test_the_store_refuses_a_second_plan_for_one_job(session: Session) -> None:
    plans = PlanRepository(session)
    first, second = plans.add(["SH"], DAY, visits=[]), plans.add(["SH"], DAY, visits=[])
    session.execute(update(PlanRow).where(PlanRow.id == first.id).values(job_id=7))
    with pytest.raises(IntegrityError):
        session.execute(update(PlanRow).where(PlanRow.id == second.id).values(job_id=7))


def test_a_job_run_twice_stores_one_plan(database_url: str, session: Session) -> None:
    add_ticket(session)
    job_id = _queue(session)
    run_job(database_url, job_id, lease_s=30)
    run_job(database_url, job_id, lease_s=30)
    job = JobRepository(session).get(job_id)
    assert (job.status, job.attempt, job.lease_expires_at) == (JobStatus.SUCCEEDED, 1, None)
    count = session.scalar(
        select(func.count()).select_from(PlanRow).where(PlanRow.job_id == job_id)
    )
    assert count == 1


def test_a_solving_worker_keeps_renewing_its_lease(database_url: str, session: Session) -> None:
    """The heartbeat runs beside OR-Tools' search (which must let it), so a solve longer
    than its lease is not taken for a dead worker."""
    for n in range(3):
        add_ticket(session, lat=31.20 + 0.02 * n)
    job = request_solve(session, SolveRequest(PLAN, ("SH",), DAY, 2, None))
    session.commit()
    worker = threading.Thread(target=run_job, args=(database_url, job.id), kwargs={"lease_s": 0.6})
    worker.start()
    leases = set()
    while worker.is_alive():
        current = JobRepository(session).get(job.id)
        if current.status is JobStatus.RUNNING and current.lease_expires_at is not None:
            leases.add(current.lease_expires_at)
        session.rollback()
        time.sleep(0.1)
    worker.join()
    assert len(leases) >= 3
    ended = JobRepository(session).get(job.id)
    assert (ended.status, ended.attempt) == (JobStatus.SUCCEEDED, 1)


def _keeper_sees(session: Session, end: Callable[[JobRepository, int], object]) -> bool:
    """Claim a job under a LeaseKeeper, end it with ``end``; whether ``on_lost`` ran."""
    factory = session_factory(session.get_bind())  # type: ignore[arg-type]
    jobs = JobRepository(session)
    job_id = _queue(session)
    assert jobs.claim(job_id, worker="w", lease_s=0.3)
    session.commit()
    stopped = threading.Event()
    with LeaseKeeper(factory, job_id, 1, 0.3, on_lost=stopped.set) as keeper:
        end(jobs, job_id)
        session.commit()
        stopped.wait(1.0)
    return keeper.lost.is_set() and stopped.is_set()


def test_a_cancel_reaches_the_solve_through_its_lease(session: Session) -> None:
    assert _keeper_sees(session, lambda jobs, job_id: jobs.cancel(job_id))


def test_a_job_that_succeeded_is_not_taken_for_lost(session: Session) -> None:
    plan = PlanRepository(session).add(["SH"], DAY, visits=[])
    assert not _keeper_sees(
        session, lambda jobs, job_id: jobs.succeed(job_id, plan_id=plan.id, progress={}, attempt=1)
    )
