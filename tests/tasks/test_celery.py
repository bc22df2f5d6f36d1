"""Solve jobs through Celery: real RabbitMQ, real ``dispatch worker`` processes, PostgreSQL.

The API runs in-process (``TestClient``) with ``JOB_BACKEND=celery``; workers are other
processes, as on other machines. Short solves (1 s) and a short lease (1.5 s) keep it
quick; nothing asserts on timing.
"""

from __future__ import annotations

import itertools
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.main import create_app
from api.settings import ApiSettings
from dispatch.store.models import PlanRow
from dispatch.tasks.runner import CeleryRunner
from fixtures.organisation import OFFICES
from tests.api.conftest import DAY, Headers, add_ticket, finished, ticket_body, wait_for_job
from tests.tasks.conftest import MAX_ATTEMPTS, Workers, consumers, wait_until

pytestmark = pytest.mark.postgres
LONG_S = 30
AS_OF = "2026-11-23T11:00:00+08:00"


@pytest.fixture
def calls(session: Session, organisation: None) -> None:
    for n in range(3):
        add_ticket(session, lat=31.20 + 0.02 * n)


def _runner(client: TestClient) -> CeleryRunner:
    runner: CeleryRunner = client.app.state.runner  # type: ignore[attr-defined]
    return runner


def _ready(client: TestClient, workers: Workers, count: int) -> None:
    """At least ``count`` live workers, consuming."""
    for _ in range(count - len(workers.alive())):
        workers.start()
    wait_until(lambda: consumers(_runner(client), "plans") >= count, f"{count} workers")


def _plan(client: TestClient, headers: Headers, seconds: int = 1, scope: str = "SH") -> Any:
    body = {"scope": scope, "date": DAY.isoformat(), "seconds": seconds}
    return client.post("/api/v1/plans", json=body, headers=headers)


def _replan(
    client: TestClient, headers: Headers, scope: str, ticket: dict[str, Any]
) -> tuple[httpx.Response, dict[str, Any]]:
    """An emergency re-plan with one urgent call: the 202 and the ended job."""
    body = {"scope": scope, "date": DAY.isoformat(), "seconds": 1, "tickets": [ticket]}
    accepted = client.post("/api/v1/replans", json=body | {"as_of": AS_OF}, headers=headers)
    assert accepted.status_code == 202, accepted.json()
    return accepted, wait_for_job(client, accepted.json()["job"]["id"], headers, until=finished)


def _plans_of_job(session: Session, job_id: int) -> int:
    session.rollback()
    return session.scalar(select(func.count()).where(PlanRow.job_id == job_id)) or 0


def _pid(job: dict[str, Any]) -> int:
    return int(job["worker"].rsplit(" ", 1)[1])


def _owner(workers: Workers, pid: int) -> subprocess.Popen[bytes]:
    """The worker whose pool process ``pid`` is."""
    parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    return next(p for p in workers.processes if p.pid in (pid, parent))


def test_a_plan_and_a_replan_complete_on_a_worker_process(
    queue_client: TestClient, workers: Workers, admin: Headers, calls: None
) -> None:
    _ready(queue_client, workers, 1)
    job = wait_for_job(queue_client, _plan(queue_client, admin).json()["id"], admin, until=finished)
    assert (job["status"], job["attempt"]) == ("succeeded", 1), job
    assert _pid(job) != os.getpid()
    urgent = ticket_body(emergency=True, customer="Hospital", called_at=AS_OF)
    accepted, replan = _replan(queue_client, admin, "SH", urgent)
    assert (replan["kind"], replan["status"]) == ("replan", "succeeded"), replan
    plan = queue_client.get(f"/api/v1/plans/{replan['plan_id']}", headers=admin).json()
    placed = {v["ticket_id"] for v in plan["visits"]} | {u["ticket_id"] for u in plan["unassigned"]}
    assert accepted.json()["tickets"][0]["id"] in placed
    ready = queue_client.get("/readyz").json()["jobs"]
    assert ready["broker"] == "ok" and ready["queues"]["plans"]["workers"] >= 1


def test_a_killed_worker_s_job_is_retried_on_another_and_stores_one_plan(
    queue_client: TestClient, workers: Workers, session: Session, admin: Headers, calls: None
) -> None:
    _ready(queue_client, workers, 2)
    job_id = _plan(queue_client, admin, seconds=2).json()["id"]
    first = wait_for_job(queue_client, job_id, admin, until=lambda j: j["status"] == "running")
    workers.kill(_owner(workers, _pid(first)))
    job = wait_for_job(queue_client, job_id, admin, until=finished)
    assert (job["status"], job["attempt"]) == ("succeeded", 2), job
    assert _pid(job) != _pid(first)
    assert _plans_of_job(session, job_id) == 1
    assert 'solve_job_lease_expiries_total{action="retried"} 1.0' in (
        queue_client.get("/metrics").text
    )


def test_a_job_whose_workers_keep_dying_fails_with_the_reason_after_the_last_attempt(
    queue_client: TestClient, workers: Workers, session: Session, admin: Headers, calls: None
) -> None:
    _ready(queue_client, workers, 2)
    job_id = _plan(queue_client, admin, seconds=LONG_S).json()["id"]
    for attempt in range(1, MAX_ATTEMPTS + 1):
        running = wait_for_job(
            queue_client,
            job_id,
            admin,
            until=lambda j, n=attempt: j["status"] == "running" and j["attempt"] == n,
        )
        workers.kill(_owner(workers, _pid(running)))
        if attempt < MAX_ATTEMPTS:
            workers.start()
    job = wait_for_job(queue_client, job_id, admin, until=finished)
    assert (job["status"], job["attempt"]) == ("failed", MAX_ATTEMPTS), job
    assert "stopped renewing its lease" in job["failure_reason"]
    assert f"attempt {MAX_ATTEMPTS} of {MAX_ATTEMPTS}" in job["failure_reason"]
    assert _plans_of_job(session, job_id) == 0


def test_a_task_delivered_twice_stores_one_plan(
    queue_client: TestClient, workers: Workers, session: Session, admin: Headers, calls: None
) -> None:
    _ready(queue_client, workers, 2)
    job_id = _plan(queue_client, admin).json()["id"]
    _runner(queue_client).submit(job_id)
    job = wait_for_job(queue_client, job_id, admin, until=finished)
    assert (job["status"], job["attempt"]) == ("succeeded", 1), job
    ignored = f'"message": "job {job_id} is not queued'
    wait_until(
        lambda: any(ignored in log.read_text() for log in workers.logs),
        "the duplicate delivered and ignored",
    )
    assert _plans_of_job(session, job_id) == 1
    session.rollback()
    assert session.scalar(select(func.count()).select_from(PlanRow)) == 1


def test_cancel_reaches_the_worker_and_the_job_ends_cancelled_without_a_plan(
    queue_client: TestClient, workers: Workers, session: Session, admin: Headers, calls: None
) -> None:
    _ready(queue_client, workers, 1)
    job_id = _plan(queue_client, admin, seconds=LONG_S).json()["id"]
    running = wait_for_job(queue_client, job_id, admin, until=lambda j: j["status"] == "running")
    cancelled = queue_client.delete(f"/api/v1/jobs/{job_id}", headers=admin)
    assert cancelled.status_code == 200
    wait_until(lambda: not os.path.exists(f"/proc/{_pid(running)}"), "the solve stopped", 20)
    job = wait_for_job(queue_client, job_id, admin, until=finished)
    assert (job["status"], job["plan_id"]) == ("cancelled", None)
    assert _plans_of_job(session, job_id) == 0


def test_two_api_processes_and_two_workers_keep_one_live_job_per_scope_and_day(
    queue_client: TestClient,
    queue_settings: ApiSettings,
    workers: Workers,
    admin: Headers,
    calls: None,
) -> None:
    """20 concurrent plan requests for 10 scopes through two apps (each with its own
    runner and lease reaper): each is accepted or refused with 409, the accepted ones
    all finish, and no two jobs of a scope were ever live together."""
    _ready(queue_client, workers, 2)
    scopes = [office.code for office in OFFICES[:10]]
    with TestClient(create_app(queue_settings)) as other:
        clients = [queue_client, other] * 10
        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(
                pool.map(lambda c, s: _plan(c, admin, scope=s), clients, sorted(scopes * 2))
            )
        assert {a.status_code for a in answers} <= {202, 409}
        accepted = [a.json() for a in answers if a.status_code == 202]
        assert {job["scope"] for job in accepted} == set(scopes)
        for refused in (a.json() for a in answers if a.status_code == 409):
            # a request that saw the live job names it; one that raced it to the
            # unique key is refused by the database without a name
            assert refused.get("job_id", accepted[0]["id"]) in {job["id"] for job in accepted}
        ended = [wait_for_job(other, job["id"], admin, until=finished) for job in accepted]
    assert {job["status"] for job in ended} == {"succeeded"}
    for scope in scopes:
        spans = sorted(
            (job["created_at"], job["finished_at"]) for job in ended if job["scope"] == scope
        )
        assert all(end <= start for (_, end), (start, _) in itertools.pairwise(spans))


def test_an_emergency_starts_on_the_emergency_worker_while_daily_plans_fill_the_others(
    queue_client: TestClient, workers: Workers, admin: Headers, calls: None
) -> None:
    """Both ordinary workers solve long daily plans and a third daily plan waits; an
    emergency re-plan still finishes, on the dedicated worker, before that plan starts."""
    _ready(queue_client, workers, 2)
    if not workers.alive("emergency"):
        workers.start("emergency")
    wait_until(
        lambda: consumers(_runner(queue_client), "emergency") >= 3, "a dedicated emergency worker"
    )
    long = [_plan(queue_client, admin, LONG_S, scope).json()["id"] for scope in ("SH", "HZ,SH")]
    for job_id in long:
        wait_for_job(queue_client, job_id, admin, until=lambda j: j["status"] == "running")
    waiting = _plan(queue_client, admin, 1, "HZ").json()["id"]
    beijing = ticket_body(
        office="BJ",
        latitude=39.90,
        longitude=116.40,
        emergency=True,
        called_at=AS_OF,
    )
    _, urgent = _replan(queue_client, admin, "BJ", beijing)
    assert urgent["status"] == "succeeded", urgent
    assert queue_client.get(f"/api/v1/jobs/{waiting}", headers=admin).json()["status"] == "queued"
    for job_id in long:
        assert queue_client.delete(f"/api/v1/jobs/{job_id}", headers=admin).status_code == 200
    assert wait_for_job(queue_client, waiting, admin, until=finished)["status"] == "succeeded"
