"""A large day's parts on parts workers (``dispatch.tasks.parts``): real RabbitMQ, real
``dispatch worker --queues parts`` processes.

"Large" is lowered to two jobs (``PARTS_FROM_JOBS``) so a few calls make a day in parts.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.settings import ApiSettings
from dispatch.domain import GeoPoint, TicketDraft
from dispatch.services.intake import register_ticket
from dispatch.tasks.app import make_celery
from dispatch.tasks.parts import PartsLostError, QueueParts
from solver import Problem, Solution, SolveParams, solve, validate
from solver.validate import hard
from tests.api.conftest import DAY, SHANGHAI, Headers, add_ticket, finished, wait_for_job
from tests.solver.test_decompose import accounted, two_offices
from tests.tasks.conftest import Workers, consumers, wait_until

pytestmark = pytest.mark.postgres
PART = "fsdispatch.solve_part["


@pytest.fixture(scope="module")
def pool(
    queue_settings: ApiSettings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workers]:
    workers = Workers(
        queue_settings, tmp_path_factory.mktemp("parts"), env={"PARTS_FROM_JOBS": "2"}
    )
    try:
        yield workers
    finally:
        workers.stop_all()


def _parts_workers(client: TestClient, pool: Workers, count: int) -> None:
    for _ in range(count - len(pool.alive("parts"))):
        pool.start("parts")
    runner = client.app.state.runner  # type: ignore[attr-defined]
    wait_until(lambda: consumers(runner, "parts") >= count, f"{count} parts workers")


def _log_sizes(pool: Workers) -> list[int]:
    return [len(log.read_text()) for log in pool.logs]


def _solving_a_part(pool: Workers, since: list[int]) -> Any:
    """The live parts worker that has received a part since ``since`` (its log says so)."""
    for process, log, seen in zip(pool.processes, pool.logs, since, strict=False):
        new = log.read_text()[seen:]
        alive = process.poll() is None and pool.queues[process.pid] == "parts"
        if alive and f"{PART}" in new and "received" in new:
            return process
    return None


def _add_beijing_call(session: Session, lat: float) -> None:
    draft = TicketDraft(
        office_code="BJ",
        customer=f"customer at {lat}",
        site=GeoPoint(lat, 116.4074),
        called_at=datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI),
        product_line="video-surveillance",
        fault="no picture",
        onsite_minutes=60,
    )
    register_ticket(session, draft)
    session.commit()


def test_a_large_day_s_plan_job_is_solved_in_parts_on_the_parts_workers(
    queue_client: TestClient, pool: Workers, session: Session, admin: Headers
) -> None:
    for n in range(2):
        add_ticket(session, lat=31.20 + 0.02 * n)
        _add_beijing_call(session, 39.90 + 0.02 * n)
    pool.start()
    _parts_workers(queue_client, pool, 1)
    body = {"scope": "ALL", "date": DAY.isoformat(), "seconds": 2}
    job_id = queue_client.post("/api/v1/plans", json=body, headers=admin).json()["id"]
    job = wait_for_job(queue_client, job_id, admin, until=finished)
    assert job["status"] == "succeeded", job
    plan = queue_client.get(f"/api/v1/plans/{job['plan_id']}", headers=admin).json()
    assert len(plan["visits"]) == 4, plan["unassigned"]
    solved_parts = sum(log.read_text().count(PART) for log in pool.logs)
    assert solved_parts >= 2 * 2, "each part received and solved by a parts worker"


def _day() -> tuple[Problem, SolveParams]:
    params = SolveParams(time_limit_s=2.0, workers=1).tuned(decompose_size=10, part_size=6)
    return two_offices(10, 10, east_engineers=2), params


def _solve_in_background(parts: QueueParts) -> tuple[threading.Thread, dict[str, Any]]:
    problem, params = _day()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["plan"] = solve(problem, replace(params, parts=parts))
        except Exception as error:
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_a_part_whose_worker_is_killed_is_solved_by_another_parts_worker(
    queue_client: TestClient, pool: Workers, queue_settings: ApiSettings
) -> None:
    _parts_workers(queue_client, pool, 2)
    since = _log_sizes(pool)
    thread, outcome = _solve_in_background(QueueParts(make_celery(queue_settings), queue_settings))
    pool.kill(wait_until(lambda: _solving_a_part(pool, since), "a part being solved"))
    thread.join(30)
    assert not thread.is_alive()
    plan: Solution = outcome["plan"]
    problem, _ = _day()
    assert plan.stats.details["parts_lost"] == 0
    assert hard(validate(problem, plan)) == []
    assert set(accounted(problem, plan).values()) == {1}


def test_parts_that_no_worker_brings_back_fail_the_solve_with_the_reason(
    queue_client: TestClient, pool: Workers, queue_settings: ApiSettings
) -> None:
    _parts_workers(queue_client, pool, 1)
    for extra in pool.alive("parts")[1:]:
        pool.kill(extra)
    parts = QueueParts(make_celery(queue_settings), queue_settings, grace_s=1.0)
    since = _log_sizes(pool)
    thread, outcome = _solve_in_background(parts)
    pool.kill(wait_until(lambda: _solving_a_part(pool, since), "a part being solved"))
    thread.join(30)
    assert not thread.is_alive()
    assert isinstance(outcome.get("error"), PartsLostError), outcome
    assert "did not come back" in str(outcome["error"])
