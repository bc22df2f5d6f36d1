"""Emergency re-plans do not queue behind daily plans in the embedded runner (issue 9,
item 11): they have slots of their own, and go first when a shared slot frees up.

Outcome-based, no timing: which job started (or finished) while which was still queued.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.runner import LocalProcessRunner
from dispatch.services.jobs import PLAN, REPLAN, SolveRequest, request_solve
from dispatch.store.database import session_factory
from dispatch.store.jobs import JobRepository, JobStatus
from tests.api.conftest import DAY, add_ticket
from tests.api.test_runner import LONG_S, _ended, _running, _wait

AS_OF = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@pytest.fixture
def calls(session: Session, organisation: None) -> None:
    for n in range(3):
        add_ticket(session, lat=31.20 + 0.02 * n)


def _queue(session: Session, kind: str, scope: tuple[str, ...], seconds: int) -> int:
    as_of = AS_OF if kind == REPLAN else None
    job = request_solve(session, SolveRequest(kind, scope, DAY, seconds, None, as_of))
    session.commit()
    return job.id


def _until(condition: Callable[[], bool]) -> None:
    for _ in range(100):
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("the runner never reached the expected state")


@pytest.fixture
def make_runner(
    database_url: str, engine: Engine, session: Session
) -> Iterator[Callable[[int], LocalProcessRunner]]:
    """``make_runner(emergency_workers)``: one shared slot plus that many reserved ones."""
    made: list[LocalProcessRunner] = []

    def make(emergency_workers: int) -> LocalProcessRunner:
        made.append(
            LocalProcessRunner(
                database_url,
                session_factory(engine),
                workers=1,
                emergency_workers=emergency_workers,
            )
        )
        return made[-1]

    yield make
    for runner in made:
        runner.shutdown()


def _busy_waiting_urgent(
    runner: LocalProcessRunner, engine: Engine, session: Session
) -> tuple[int, int, int]:
    """A long daily plan running, a daily plan submitted after it, then an emergency."""
    busy = _queue(session, PLAN, ("SH",), LONG_S)
    runner.submit(busy)
    _wait(engine, busy, _running)
    waiting = _queue(session, PLAN, ("HZ", "SH"), 1)
    runner.submit(waiting)
    urgent = _queue(session, REPLAN, ("HZ",), 1)
    runner.submit(urgent)
    return busy, waiting, urgent


def test_an_emergency_runs_on_its_own_slot_while_daily_plans_hold_and_queue_for_the_others(
    make_runner: Callable[[int], LocalProcessRunner], engine: Engine, session: Session, calls: None
) -> None:
    busy, waiting, urgent = _busy_waiting_urgent(make_runner(1), engine, session)
    done = _wait(engine, urgent, _ended)
    assert done.status is JobStatus.SUCCEEDED, done
    assert JobRepository(session).get(waiting).status is JobStatus.QUEUED
    assert JobRepository(session).get(busy).status is JobStatus.RUNNING


def test_an_emergency_takes_a_freed_slot_before_daily_plans_queued_earlier(
    make_runner: Callable[[int], LocalProcessRunner], engine: Engine, session: Session, calls: None
) -> None:
    runner = make_runner(0)
    busy, earlier, urgent = _busy_waiting_urgent(runner, engine, session)
    _until(lambda: runner.urgent_waiting == 1)
    JobRepository(session).cancel(busy)
    session.commit()
    runner.cancel(busy)
    done = _wait(engine, urgent, _ended)
    assert done.status is JobStatus.SUCCEEDED, done
    after = _wait(engine, earlier, _ended)
    assert after.status is JobStatus.SUCCEEDED
    assert done.finished_at is not None and after.started_at is not None
    assert after.started_at >= done.finished_at
