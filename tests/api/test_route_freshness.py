"""The polled reads show every change at once: a route and the ticket list are rendered
per request (``docs/api.md``, "Concurrency"), never served from a copy that a publication
or a progress report could leave stale."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dispatch.domain import Ticket, Visit
from dispatch.store.repository import PlanRepository, TicketRepository
from dispatch.store.users import Role
from tests.api.conftest import DAY, Headers, MakeUser, add_ticket, publish_route, ticket_body

ROUTE = f"/api/v1/engineers/E01/route?date={DAY.isoformat()}"


def _stored_plan(session: Session, tickets: list[Ticket]) -> int:
    """A newer SH version for the day routing ``tickets`` to E01, stored but not published."""
    visits = [
        Visit(t.id, "E01", n, t.deadline, t.deadline, t.deadline)
        for n, t in enumerate(tickets, start=1)
    ]
    plan = PlanRepository(session).add(["SH"], DAY, visits=visits)
    session.commit()
    return plan.id


def _route(client: TestClient, headers: Headers) -> dict[str, Any]:
    response = client.get(ROUTE, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    route: dict[str, Any] = response.json()
    return route


def test_the_route_follows_a_publication_and_a_report_at_once(
    client: TestClient, session: Session, make_user: MakeUser, dispatcher: Headers
) -> None:
    first, second = add_ticket(session, lat=31.21), add_ticket(session, lat=31.25)
    publish_route(session, [first], "E01")
    me = make_user(Role.ENGINEER, engineer_id="E01")
    assert [s["ticket_id"] for s in _route(client, me)["stops"]] == [first.id]

    newer = _stored_plan(session, [second, first])
    assert client.post(f"/api/v1/plans/{newer}/publish", headers=dispatcher).status_code == 200
    route = _route(client, me)
    assert route["plan_id"] == newer
    assert [s["ticket_id"] for s in route["stops"]] == [second.id, first.id]

    report = {"status": "en_route"}
    url = f"/api/v1/tickets/{second.id}/status"
    assert client.post(url, json=report, headers=me).status_code == 200
    stop = _route(client, me)["stops"][0]
    assert (stop["status"], stop["ticket_version"]) == ("en_route", second.version + 2)
    listed = client.get("/api/v1/tickets", headers=dispatcher).json()
    assert {t["id"]: t["status"] for t in listed}[second.id] == "en_route"


def test_a_rendered_answer_has_the_bytes_fastapi_would_send(
    client: TestClient, session: Session, make_user: MakeUser, dispatcher: Headers
) -> None:
    body = ticket_body(customer='上海 "客户" \\ 1', latitude=31.2, longitude=121.5)
    assert client.post("/api/v1/tickets", json=body, headers=dispatcher).status_code == 201
    listed = client.get("/api/v1/tickets", headers=dispatcher)
    ticket = TicketRepository(session).get(listed.json()[0]["id"])
    publish_route(session, [ticket], "E01")
    route = client.get(ROUTE, headers=make_user(Role.ENGINEER, engineer_id="E01"))
    for answer in (listed, route):
        assert answer.content == JSONResponse(answer.json()).body


def test_an_unchanged_route_is_a_304_and_a_changed_one_a_new_etag(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    ticket = add_ticket(session)
    publish_route(session, [ticket], "E01")
    me = make_user(Role.ENGINEER, engineer_id="E01")
    tag = client.get(ROUTE, headers=me).headers["ETag"]
    unchanged = client.get(ROUTE, headers=me | {"If-None-Match": f'W/{tag}, "x"'})
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    assert client.post(
        f"/api/v1/tickets/{ticket.id}/status", json={"status": "en_route"}, headers=me
    ).is_success
    changed = client.get(ROUTE, headers=me | {"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != tag
