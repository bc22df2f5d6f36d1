"""End to end: seed a normal day, plan, publish, report, an emergency, re-plan, reports."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dispatch.services.seeding import seed
from dispatch.store.users import Role
from tests.api.conftest import DAY, Headers, MakeUser, finished, ticket_body, wait_for_job

V1 = "/api/v1"


def _solve(
    client: TestClient, url: str, body: dict[str, Any], headers: Headers
) -> tuple[int, dict[str, Any]]:
    accepted = client.post(f"{V1}/{url}", json=body, headers=headers)
    assert accepted.status_code == 202, accepted.json()
    job_id = accepted.json()["job"]["id"] if url == "replans" else accepted.json()["id"]
    job = wait_for_job(client, job_id, headers, until=finished)
    assert job["status"] == "succeeded", job["failure_reason"]
    plan_id: int = job["plan_id"]
    assert client.post(f"{V1}/plans/{plan_id}/publish", headers=headers).status_code == 200
    return plan_id, job


def _stops(client: TestClient, engineer: str, headers: Headers) -> list[dict[str, Any]]:
    route = client.get(
        f"{V1}/engineers/{engineer}/route", params={"date": DAY.isoformat()}, headers=headers
    )
    assert route.status_code == 200, route.json()
    stops: list[dict[str, Any]] = route.json()["stops"]
    return stops


def _next_stop(stops: list[dict[str, Any]]) -> int | None:
    """The stop the engineer is on or heading to next."""
    open_stops = [s for s in stops if s["status"] in ("dispatched", "en_route", "on_site")]
    return open_stops[0]["ticket_id"] if open_stops else None


def _next_stop(stops: list[dict[str, Any]]) -> int | None:
    """The stop the engineer is on or heading to next."""
    open_stops = [s for s in stops if s["status"] in ("dispatched", "en_route", "on_site")]
    return open_stops[0]["ticket_id"] if open_stops else None


def _report(client: TestClient, stop: dict[str, Any], status: str, at: str, who: Headers) -> None:
    url = f"{V1}/tickets/{stop['ticket_id']}/status"
    current = client.get(f"{V1}/tickets/{stop['ticket_id']}", headers=who)
    headers = who | {"If-Match": current.headers["ETag"]}
    response = client.post(url, json={"status": status, "at": at}, headers=headers)
    assert response.status_code == 200, response.json()


def test_a_day_from_plan_to_emergency_to_reports(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    seed(session, scenario="normal", day=DAY, seed=7)
    session.commit()
    dispatcher = make_user(Role.DISPATCHER, offices=["SH"])
    engineers = {e: make_user(Role.ENGINEER, engineer_id=e) for e in ("E01", "E02")}
    emergency = make_user(Role.EMERGENCY)
    day = DAY.isoformat()

    first_plan, _ = _solve(client, "plans", {"scope": "SH", "date": day, "seconds": 2}, dispatcher)
    routes = {e: _stops(client, e, who) for e, who in engineers.items()}
    busy = next(e for e, stops in routes.items() if stops)
    stop = routes[busy][0]
    called = datetime.fromisoformat(
        client.get(f"{V1}/tickets/{stop['ticket_id']}", headers=dispatcher).json()["called_at"]
    )
    left, arrived = called + timedelta(minutes=2), called + timedelta(minutes=10)
    _report(client, stop, "en_route", left.isoformat(), engineers[busy])
    _report(client, stop, "on_site", arrived.isoformat(), engineers[busy])

    before = {e: _next_stop(_stops(client, e, who)) for e, who in engineers.items()}
    urgent = ticket_body(
        emergency=True, customer="Ruijin Hospital", called_at=f"{day}T10:00:00+08:00"
    )
    as_of = f"{day}T10:05:00+08:00"
    replan = {"scope": "SH", "date": day, "seconds": 2, "tickets": [urgent], "as_of": as_of}
    second_plan, job = _solve(client, "replans", replan, emergency)
    assert second_plan != first_plan
    changed = set(job["progress"]["changed_engineers"])
    assert job["progress"]["routes_changed"] == len(changed)
    for engineer, who in engineers.items():
        if engineer not in changed:
            assert _next_stop(_stops(client, engineer, who)) == before[engineer]

    on_site = client.get(f"{V1}/tickets/{stop['ticket_id']}", headers=dispatcher).json()
    assert on_site["status"] == "on_site"
    assert datetime.fromisoformat(on_site["arrived_at"]) == arrived
    replanned = client.get(f"{V1}/plans/{second_plan}", headers=dispatcher).json()
    placed = {v["ticket_id"]: v["engineer_id"] for v in replanned["visits"]}
    assert placed.get(stop["ticket_id"], busy) == busy, "the engineer on site stays there"
    after = {e: [s["ticket_id"] for s in _stops(client, e, who)] for e, who in engineers.items()}
    everywhere = [ticket for stops in after.values() for ticket in stops]
    assert len(everywhere) == len(set(everywhere)), "a ticket is on two published routes"
    assert stop["ticket_id"] in after[busy], "the engineer on site keeps the job"

    fixed = datetime.fromisoformat(f"{day}T11:10:00+08:00")
    _report(client, stop, "fixed_on_site", fixed.isoformat(), engineers[busy])
    log = client.get(
        f"{V1}/reports/engineers/{busy}/daily", params={"date": day}, headers=engineers[busy]
    ).json()
    worked = round((fixed - left).total_seconds() / 3600, 2)  # leaving to finishing
    assert sum(log["actual"][kind] for kind in "ABC") == worked
    kpis = client.get(
        f"{V1}/reports/kpis", params={"office": "SH", "date": day}, headers=dispatcher
    ).json()
    assert kpis["plan_id"] == second_plan
    compliance = client.get(
        f"{V1}/reports/compliance", params={"from": day, "to": day}, headers=dispatcher
    ).json()
    assert compliance["rules"]["6h"]["on_time"] + compliance["rules"]["7h"]["on_time"] >= 1
