"""Plans as jobs: 202, polling, events, cancel, 409, a killed worker; publish; routes."""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dispatch.store.repository import PlanRepository, TicketRepository
from dispatch.store.users import Role
from tests.api.conftest import DAY, Headers, MakeUser, add_ticket, finished, wait_for_job

PLANS = "/api/v1/plans"


@pytest.fixture
def three_calls(session: Session, organisation: None) -> list[int]:
    return [add_ticket(session, lat=31.20 + 0.02 * n).id for n in range(3)]


def _request(client: TestClient, headers: Headers, seconds: int = 1) -> Any:
    return client.post(
        PLANS, json={"scope": "SH", "date": DAY.isoformat(), "seconds": seconds}, headers=headers
    )


def _solved_plan(client: TestClient, headers: Headers) -> dict[str, Any]:
    accepted = _request(client, headers)
    assert accepted.status_code == 202, accepted.json()
    assert accepted.headers["Location"] == f"/api/v1/jobs/{accepted.json()['id']}"
    job = wait_for_job(client, accepted.json()["id"], headers, until=finished)
    assert job["status"] == "succeeded", job
    plan: dict[str, Any] = client.get(f"{PLANS}/{job['plan_id']}", headers=headers).json()
    return plan


def test_a_plan_job_runs_in_a_worker_and_ends_with_the_plan(
    client: TestClient, dispatcher: Headers, three_calls: list[int]
) -> None:
    plan = _solved_plan(client, dispatcher)
    routed = {v["ticket_id"] for v in plan["visits"]} | {u["ticket_id"] for u in plan["unassigned"]}
    assert routed == set(three_calls)
    assert plan["published"] is False
    assert {"on_time", "late", "engineers"} <= set(plan["kpis"])


def test_job_progress_and_outcome_are_on_the_job(
    client: TestClient, dispatcher: Headers, three_calls: list[int]
) -> None:
    job_id = _request(client, dispatcher).json()["id"]
    job = wait_for_job(client, job_id, dispatcher, until=finished)
    assert job["attempt"] == 1
    assert job["progress"]["on_time"] == job["progress"]["assigned"] >= 1
    assert job["finished_at"] is not None


def test_events_stream_progress_until_done(
    client: TestClient, dispatcher: Headers, three_calls: list[int]
) -> None:
    job_id = _request(client, dispatcher).json()["id"]
    with client.stream("GET", f"/api/v1/jobs/{job_id}/events", headers=dispatcher) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        events = [line for line in stream.iter_lines() if line.startswith("event:")]
        assert events[-1] == "event: done"
    assert events[0] in ("event: progress", "event: done")


def test_publishing_dispatches_the_tickets_and_is_idempotent(
    client: TestClient, session: Session, dispatcher: Headers, three_calls: list[int]
) -> None:
    plan = _solved_plan(client, dispatcher)
    first = client.post(f"{PLANS}/{plan['id']}/publish", headers=dispatcher).json()
    again = client.post(f"{PLANS}/{plan['id']}/publish", headers=dispatcher).json()
    routed = sorted(v["ticket_id"] for v in plan["visits"])
    assert sorted(first["dispatched"]) == routed
    assert again == first | {"dispatched": []}
    tickets = TicketRepository(session)
    assert {tickets.get(t).status.value for t in routed} == {"dispatched"}


def test_a_second_solve_of_a_busy_scope_gets_409_with_the_running_job(
    client: TestClient, dispatcher: Headers, three_calls: list[int]
) -> None:
    running = _request(client, dispatcher, seconds=30).json()
    clash = _request(client, dispatcher)
    assert clash.status_code == 409
    assert clash.json()["job_id"] == running["id"]
    cancelled = client.delete(f"/api/v1/jobs/{running['id']}", headers=dispatcher)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert _request(client, dispatcher).status_code == 202


def test_a_cancelled_job_leaves_no_plan(
    client: TestClient, session: Session, dispatcher: Headers, three_calls: list[int]
) -> None:
    job = _request(client, dispatcher, seconds=30).json()
    wait_for_job(client, job["id"], dispatcher, until=lambda j: j["status"] == "running")
    client.delete(f"/api/v1/jobs/{job['id']}", headers=dispatcher)
    ended = wait_for_job(client, job["id"], dispatcher, until=finished)
    assert ended["status"] == "cancelled"
    assert ended["plan_id"] is None
    assert PlanRepository(session).latest(["SH"], DAY) is None
    assert client.delete(f"/api/v1/jobs/{job['id']}", headers=dispatcher).status_code == 200


def test_a_killed_worker_fails_its_job_and_the_published_plan_stays(
    client: TestClient, session: Session, dispatcher: Headers, three_calls: list[int]
) -> None:
    published = _solved_plan(client, dispatcher)
    client.post(f"{PLANS}/{published['id']}/publish", headers=dispatcher)
    job = _request(client, dispatcher, seconds=30).json()
    running = wait_for_job(client, job["id"], dispatcher, until=lambda j: j["status"] == "running")
    os.kill(_pid(running), signal.SIGKILL)
    ended = wait_for_job(client, job["id"], dispatcher, until=finished)
    assert ended["status"] == "failed"
    assert "exit code -9" in ended["failure_reason"]
    latest = PlanRepository(session).latest(["SH"], DAY, published_only=True)
    assert latest is not None and latest.id == published["id"]


def _pid(job: dict[str, Any]) -> int:
    """The worker's pid, from the job's ``worker`` field ("host pid N")."""
    return int(job["worker"].rsplit(" ", 1)[1])


def test_dispatchers_plan_only_their_offices(
    client: TestClient, make_user: MakeUser, three_calls: list[int]
) -> None:
    beijing = make_user(Role.DISPATCHER, offices=["BJ"])
    engineer = make_user(Role.ENGINEER, engineer_id="E01")
    assert _request(client, beijing).status_code == 403
    assert _request(client, engineer).status_code == 403
    everything = {"scope": "ALL", "date": DAY.isoformat()}
    shanghai = make_user(Role.DISPATCHER, offices=["SH"])
    assert client.post(PLANS, json=everything, headers=shanghai).status_code == 403


def test_solve_seconds_are_capped(client: TestClient, dispatcher: Headers) -> None:
    response = _request(client, dispatcher, seconds=61)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.seconds"


def test_an_unknown_office_in_a_scope_is_a_404_and_a_malformed_scope_a_422(
    client: TestClient, admin: Headers
) -> None:
    response = client.post(PLANS, json={"scope": "XX", "date": DAY.isoformat()}, headers=admin)
    assert response.status_code == 404
    assert "XX" in response.json()["detail"]
    malformed = client.post(PLANS, json={"scope": "SH;HZ", "date": DAY.isoformat()}, headers=admin)
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "body.scope"
