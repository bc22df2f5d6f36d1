"""Emergency re-solve: urgent calls go in through intake, then a re-plan job runs."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.main import create_app
from api.settings import ApiSettings
from dispatch.store.users import Role
from tests.api.conftest import (
    DAY,
    Headers,
    MakeUser,
    add_ticket,
    finished,
    ticket_body,
    wait_for_job,
)

REPLANS = "/api/v1/replans"


def _replan(tickets: list[dict[str, Any]]) -> dict[str, Any]:
    as_of = "2026-11-23T11:00:00+08:00"
    return {
        "scope": "SH",
        "date": DAY.isoformat(),
        "seconds": 1,
        "tickets": tickets,
        "as_of": as_of,
    }


def test_an_emergency_team_adds_urgent_calls_and_replans(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    add_ticket(session)
    emergency = make_user(Role.EMERGENCY)
    urgent = ticket_body(emergency=True, customer="Hospital", called_at="2026-11-23T11:00:00+08:00")
    accepted = client.post(REPLANS, json=_replan([urgent]), headers=emergency)
    assert accepted.status_code == 202, accepted.json()
    added = accepted.json()["tickets"][0]
    assert (added["emergency"], added["status"]) == (True, "awaiting_dispatch")
    job = wait_for_job(client, accepted.json()["job"]["id"], emergency, until=finished)
    assert (job["kind"], job["status"]) == ("replan", "succeeded")
    assert job["as_of"].startswith("2026-11-23T03:00")
    assert job["progress"]["routes_changed"] == len(job["progress"]["changed_engineers"])
    plan = client.get(f"/api/v1/plans/{job['plan_id']}", headers=emergency).json()
    placed = {v["ticket_id"] for v in plan["visits"]} | {u["ticket_id"] for u in plan["unassigned"]}
    assert added["id"] in placed


def test_a_replan_without_seconds_gets_the_replan_default(
    database_url: str, session: Session, admin: Headers
) -> None:
    settings = ApiSettings(
        database_url=database_url, solve_seconds_default=3, replan_seconds_default=2
    )
    body = _replan([ticket_body(emergency=True)])
    del body["seconds"]
    with TestClient(create_app(settings)) as client:
        accepted = client.post(REPLANS, json=body, headers=admin)
        assert accepted.status_code == 202, accepted.json()
        job = accepted.json()["job"]
        assert job["seconds"] == 2
        client.delete(f"/api/v1/jobs/{job['id']}", headers=admin)


def test_only_emergency_teams_and_admins_replan(client: TestClient, dispatcher: Headers) -> None:
    response = client.post(REPLANS, json=_replan([ticket_body()]), headers=dispatcher)
    assert response.status_code == 403


def test_urgent_calls_must_belong_to_the_scope(client: TestClient, admin: Headers) -> None:
    beijing = ticket_body(office="BJ", latitude=39.9, longitude=116.4)
    response = client.post(REPLANS, json=_replan([ticket_body(), beijing]), headers=admin)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.tickets.1.office"


def test_the_number_of_urgent_calls_per_request_is_capped(
    client: TestClient, admin: Headers
) -> None:
    response = client.post(REPLANS, json=_replan([ticket_body()] * 21), headers=admin)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.tickets"


def test_oversized_bodies_get_413(client: TestClient, admin: Headers) -> None:
    huge = ticket_body(fault="x" * 300_000)
    declared = client.post("/api/v1/tickets", json=huge, headers=admin)
    streamed = client.post(
        "/api/v1/tickets",
        content=(b"x" * 100_000 for _ in range(3)),
        headers=admin | {"Content-Type": "application/json"},
    )
    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
