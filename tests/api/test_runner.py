"""The local runner's warm workers: handover, cancel, a killed worker, shutdown.

The runner is driven directly (no HTTP), on the suite's database, with real spawned
workers. Nothing here asserts on timing; every wait is bounded so a hang fails the test.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.runner import LocalProcessRunner
from dispatch.services.jobs import PLAN, SolveRequest, request_solve
from dispatch.store.database import session_factory, session_scope
from dispatch.store.jobs import JobRepository, JobStatus, SolveJob
from tests.api.conftest import DAY, add_ticket

LONG_S = 30
"""A solve limit no test waits out: those jobs end by cancel, kill or shutdown."""


@pytest.fixture
def runner(database_url: str, engine: Engine, session: Session) -> Iterator[LocalProcessRunner]:
    runner = LocalProcessRunner(database_url, session_factory(engine), workers=2)
    yield runner
    runner.shutdown()


@pytest.fixture
def calls(session: Session, organisation: None) -> None:
    for n in range(3):
        add_ticket(session, lat=31.20 + 0.02 * n)


def _queue(session: Session, seconds: int = 1, scope: str = "SH") -> int:
    job = request_solve(session, SolveRequest(PLAN, (scope,), DAY, seconds, None))
    session.commit()
    return job.id


def _wait(engine: Engine, job_id: int, until: Callable[[SolveJob], bool]) -> SolveJob:
    """Read the job in a fresh session until ``until(job)`` holds (at most 60 s)."""
    for _ in range(600):
        with session_scope(session_factory(engine)) as session:
            job = JobRepository(session).get(job_id)
        if until(job):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} never reached the expected state: {job}")


def _running(job: SolveJob) -> bool:
    return job.status is JobStatus.RUNNING


def _ended(job: SolveJob) -> bool:
    return job.done


def _pid(job: SolveJob) -> int:
    """The worker's process id, from the job's ``worker`` ("host pid N")."""
    assert job.worker is not None
    return int(job.worker.rsplit(" ", 1)[1])


def _alive(pid: int) -> bool:
    """``active_children``: the processes this one started that have not ended."""
    return pid in {child.pid for child in multiprocessing.active_children()}


def _gone(pid: int) -> bool:
    """Whether the worker process has ended (waits up to 10 s)."""
    for _ in range(100):
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return False


def _standby(runner: LocalProcessRunner, count: int = 2) -> set[int]:
    """The idle workers' pids, once there are ``count`` of them (at most 10 s)."""
    for _ in range(100):
        pids = set(runner.standby_pids)
        if len(pids) == count:
            return pids
        time.sleep(0.1)
    raise AssertionError(f"the runner never had {count} idle workers: {pids}")


def test_a_job_handed_to_a_warm_worker_completes_and_its_slot_is_warmed_again(
    runner: LocalProcessRunner, engine: Engine, session: Session, calls: None
) -> None:
    warm = _standby(runner)
    job_id = _queue(session)
    runner.submit(job_id)
    job = _wait(engine, job_id, _ended)
    assert (job.status, job.attempt) == (JobStatus.SUCCEEDED, 1)
    assert job.plan_id is not None
    assert _pid(job) in warm
    after = _standby(runner)
    assert _pid(job) not in after and len(after & warm) == 1


def test_a_job_submitted_while_another_runs_gets_a_warm_worker(
    runner: LocalProcessRunner, engine: Engine, session: Session, calls: None
) -> None:
    warm = _standby(runner)
    first = _queue(session, seconds=LONG_S)
    runner.submit(first)
    busy = _pid(_wait(engine, first, _running))
    assert set(runner.standby_pids) == warm - {busy}
    second = _queue(session, scope="HZ")
    runner.submit(second)
    job = _wait(engine, second, _ended)
    assert job.status is JobStatus.SUCCEEDED
    assert _pid(job) in warm


def test_cancelling_a_job_terminates_its_worker_and_only_it(
    runner: LocalProcessRunner, engine: Engine, session: Session, calls: None
) -> None:
    job_id = _queue(session, seconds=LONG_S)
    runner.submit(job_id)
    worker = _pid(_wait(engine, job_id, _running))
    (idle,) = runner.standby_pids
    JobRepository(session).cancel(job_id)
    session.commit()
    runner.cancel(job_id)
    assert _gone(worker)
    job = _wait(engine, job_id, _ended)
    assert (job.status, job.plan_id) == (JobStatus.CANCELLED, None)
    assert idle in _standby(runner) and _alive(idle)


def test_a_killed_worker_fails_only_its_job_and_the_next_job_runs(
    runner: LocalProcessRunner, engine: Engine, session: Session, calls: None
) -> None:
    doomed = _queue(session, seconds=LONG_S)
    runner.submit(doomed)
    worker = _pid(_wait(engine, doomed, _running))
    os.kill(worker, signal.SIGKILL)
    failed = _wait(engine, doomed, _ended)
    assert failed.status is JobStatus.FAILED
    assert failed.failure_reason == "the worker process died (exit code -9)"
    assert worker not in _standby(runner)
    after = _queue(session)
    runner.submit(after)
    job = _wait(engine, after, _ended)
    assert job.status is JobStatus.SUCCEEDED
    assert _pid(job) != worker


def test_dead_idle_workers_are_replaced_and_the_job_still_runs(
    runner: LocalProcessRunner, engine: Engine, session: Session, calls: None
) -> None:
    dead = _standby(runner)
    for pid in dead:
        os.kill(pid, signal.SIGKILL)
        assert _gone(pid)
    job_id = _queue(session)
    runner.submit(job_id)
    job = _wait(engine, job_id, _ended)
    assert job.status is JobStatus.SUCCEEDED
    assert _pid(job) not in dead


def test_shutdown_ends_idle_and_running_workers(
    database_url: str, engine: Engine, session: Session, calls: None
) -> None:
    runner = LocalProcessRunner(database_url, session_factory(engine), workers=2)
    job_id = _queue(session, seconds=LONG_S)
    runner.submit(job_id)
    worker = _pid(_wait(engine, job_id, _running))
    (idle,) = runner.standby_pids
    runner.shutdown()
    assert _gone(worker) and _gone(idle)
    assert runner.standby_pids == ()
    assert multiprocessing.active_children() == []
    job = _wait(engine, job_id, _ended)
    assert (job.status, job.failure_reason) == (
        JobStatus.FAILED,
        "the server shut down during the solve",
    )


def test_a_job_submitted_after_shutdown_fails_without_a_worker(
    database_url: str, engine: Engine, session: Session, calls: None
) -> None:
    runner = LocalProcessRunner(database_url, session_factory(engine), workers=1)
    runner.shutdown()
    job_id = _queue(session)
    runner.submit(job_id)
    job = _wait(engine, job_id, _ended)
    assert (job.status, job.failure_reason) == (
        JobStatus.FAILED,
        "the server shut down before the job started",
    )
    assert multiprocessing.active_children() == []
