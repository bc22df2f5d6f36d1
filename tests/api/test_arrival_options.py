"""``/tickets/{id}/options`` and ``/assign`` over HTTP: roles, errors, and a race."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dispatch.store.repository import PlanRepository
from dispatch.store.users import Role
from tests.api.conftest import DAY, Headers, MakeUser
from tests.services.test_arrival_options import _call, _published


def _options(client: TestClient, ticket_id: int, headers: Headers, **body: Any) -> httpx.Response:
    response: httpx.Response = client.post(
        f"/api/v1/tickets/{ticket_id}/options", json=body, headers=headers
    )
    return response


def test_a_dispatcher_takes_an_option_and_publishes_it(
    client: TestClient, session: Session, dispatcher: Headers, make_user: MakeUser
) -> None:
    published = _published(session)
    ticket = _call(session)
    found = _options(client, ticket.id, dispatcher, count=2)
    assert found.status_code == 200, found.json()
    body = found.json()
    assert body["plan_id"] == published.id and body["options"]
    option = body["options"][0]
    assert {"engineer_id", "eta", "on_time", "minutes_late", "changes"} <= set(option)
    taken = client.post(
        f"/api/v1/tickets/{ticket.id}/assign",
        json={"plan_id": published.id, "option": option["key"]},
        headers=dispatcher,
    )
    assert taken.status_code == 201, taken.json()
    plan = taken.json()["plan"]
    assert taken.headers["Location"] == f"/api/v1/plans/{plan['id']}"
    assert client.post(f"/api/v1/plans/{plan['id']}/publish", headers=dispatcher).json()[
        "dispatched"
    ] == [ticket.id]
    engineer = make_user(Role.ENGINEER, engineer_id=option["engineer_id"])
    route = client.get(
        f"/api/v1/engineers/{option['engineer_id']}/route",
        params={"date": DAY.isoformat()},
        headers=engineer,
    ).json()
    stop = next(s for s in route["stops"] if s["ticket_id"] == ticket.id)
    assert datetime.fromisoformat(stop["eta"]) == datetime.fromisoformat(option["eta"])


def test_only_dispatchers_of_the_office_and_emergency_teams_may_ask(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    _published(session)
    ticket = _call(session)
    allowed = [make_user(Role.DISPATCHER, offices=["SH"]), make_user(Role.EMERGENCY)]
    refused = [
        make_user(Role.DISPATCHER, offices=["BJ"]),
        make_user(Role.ENGINEER, engineer_id="E01"),
        make_user(Role.ADMIN),
    ]
    assert [_options(client, ticket.id, h).status_code for h in allowed] == [200, 200]
    assert [_options(client, ticket.id, h).status_code for h in refused] == [403, 403, 403]
    assert client.post(f"/api/v1/tickets/{ticket.id}/options").status_code == 401


def test_bad_requests_get_404_409_and_422(
    client: TestClient, session: Session, dispatcher: Headers
) -> None:
    published = _published(session)
    ticket = _call(session)
    assert _options(client, 99_999, dispatcher).status_code == 404
    assert _options(client, ticket.id, dispatcher, date="2026-11-20").status_code == 404
    assert _options(client, published.visits[0].ticket_id, dispatcher).status_code == 409
    for body in ({"count": 0}, {"count": 11}, {"engineer": "E01"}, {"date": "soon"}):
        response = _options(client, ticket.id, dispatcher, **body)
        assert response.status_code == 422, body
    assign = f"/api/v1/tickets/{ticket.id}/assign"
    bad_key = client.post(
        assign, json={"plan_id": published.id, "option": "E01:x"}, headers=dispatcher
    )
    assert bad_key.status_code == 422
    uncertified = client.post(
        assign, json={"plan_id": published.id, "option": "E02:0"}, headers=dispatcher
    )
    assert uncertified.status_code == 422 and "certified" in uncertified.json()["detail"]
    missing = client.post(assign, json={"plan_id": 99_999, "option": "E01:0"}, headers=dispatcher)
    assert missing.status_code == 404
    draft = PlanRepository(session).add(["SH"], DAY, visits=[])
    session.commit()
    stale = client.post(assign, json={"plan_id": draft.id, "option": "E01:0"}, headers=dispatcher)
    assert stale.status_code == 409
