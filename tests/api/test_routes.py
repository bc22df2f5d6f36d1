"""Engineers' routes: published stops only, in order, each engineer only their own."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dispatch.store.repository import PlanRepository
from dispatch.store.users import Role
from tests.api.conftest import DAY, Headers, MakeUser, add_ticket, publish_route


def _route(client: TestClient, engineer: str, headers: Headers) -> list[int]:
    response = client.get(
        f"/api/v1/engineers/{engineer}/route", params={"date": DAY.isoformat()}, headers=headers
    )
    assert response.status_code == 200, response.json()
    return [stop["ticket_id"] for stop in response.json()["stops"]]


def test_an_engineer_gets_their_published_stops_in_order(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    first, second = add_ticket(session, lat=31.21), add_ticket(session, lat=31.25)
    publish_route(session, [second, first], "E01")
    me = make_user(Role.ENGINEER, engineer_id="E01")
    response = client.get(
        "/api/v1/engineers/E01/route", params={"date": DAY.isoformat()}, headers=me
    )
    stops = response.json()["stops"]
    assert [s["ticket_id"] for s in stops] == [second.id, first.id]
    assert stops[0]["customer"] == second.draft.customer
    assert stops[0]["navigation"]["geo"] == "geo:31.250000,121.473700"
    assert "position=121.473700,31.250000" in stops[0]["navigation"]["amap"]
    assert stops[0]["status"] == "dispatched"


def test_an_engineer_may_not_read_another_engineers_route(
    client: TestClient, make_user: MakeUser
) -> None:
    me = make_user(Role.ENGINEER, engineer_id="E01")
    response = client.get(
        "/api/v1/engineers/E02/route", params={"date": DAY.isoformat()}, headers=me
    )
    assert response.status_code == 403


def test_unpublished_plans_are_not_shown(
    client: TestClient, session: Session, dispatcher: Headers
) -> None:
    ticket = add_ticket(session)
    visit_plan = PlanRepository(session).add(["SH"], DAY, visits=[])
    session.commit()
    assert visit_plan.published is False
    assert _route(client, "E01", dispatcher) == []
    publish_route(session, [ticket], "E01")
    assert _route(client, "E01", dispatcher) == [ticket.id]


def test_a_ticket_moved_by_a_newer_published_plan_leaves_the_old_route(
    client: TestClient, session: Session, dispatcher: Headers
) -> None:
    ticket = add_ticket(session)
    publish_route(session, [ticket], "E01")
    publish_route(session, [ticket], "E02")
    assert _route(client, "E01", dispatcher) == []
    assert _route(client, "E02", dispatcher) == [ticket.id]


def test_route_times_carry_the_office_offset(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    ticket = add_ticket(session)
    publish_route(session, [ticket], "E01")
    me = make_user(Role.ENGINEER, engineer_id="E01")
    response = client.get(
        "/api/v1/engineers/E01/route", params={"date": DAY.isoformat()}, headers=me
    )
    (stop,) = response.json()["stops"]
    for field in ("eta", "departure", "deadline"):
        assert stop[field].endswith("+08:00"), stop[field]
    assert datetime.fromisoformat(stop["deadline"]) == ticket.deadline
