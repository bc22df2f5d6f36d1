"""Ticket intake, queries and status reports through the API."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dispatch.store.users import Role
from tests.api.conftest import (
    DAY,
    SHANGHAI,
    Headers,
    MakeUser,
    add_ticket,
    publish_route,
    ticket_body,
)

TICKETS = "/api/v1/tickets"


def test_intake_returns_the_service_area_and_deadline(
    client: TestClient, dispatcher: Headers
) -> None:
    response = client.post(TICKETS, json=ticket_body(), headers=dispatcher)
    assert response.status_code == 201
    ticket = response.json()
    assert ticket["service_area"] == "urban"
    assert ticket["deadline_rule"] == "6h"
    assert ticket["deadline"].startswith("2026-11-23T07:30")  # 09:30 +08:00 + 6 working h, UTC
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"] == f"{TICKETS}/{ticket['id']}"


def test_validation_errors_name_the_field(client: TestClient, dispatcher: Headers) -> None:
    response = client.post(TICKETS, json=ticket_body(latitude=123), headers=dispatcher)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["body.latitude"]


def test_unknown_fields_are_rejected(client: TestClient, dispatcher: Headers) -> None:
    response = client.post(
        TICKETS, json=ticket_body(assigned_engineer_id="E01"), headers=dispatcher
    )
    assert response.status_code == 422
    assert "body.assigned_engineer_id" in response.json()["detail"]


def test_an_unknown_product_line_is_a_422_not_a_500(
    client: TestClient, dispatcher: Headers
) -> None:
    response = client.post(TICKETS, json=ticket_body(product_line="toasters"), headers=dispatcher)
    assert response.status_code == 422
    assert "toasters" in response.json()["detail"]


def test_a_retried_intake_with_the_same_key_creates_one_ticket(
    client: TestClient, dispatcher: Headers
) -> None:
    headers = dispatcher | {"Idempotency-Key": "call-7781"}
    first = client.post(TICKETS, json=ticket_body(), headers=headers)
    again = client.post(TICKETS, json=ticket_body(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(client.get(TICKETS, headers=dispatcher).json()) == 1


def test_the_same_key_with_another_body_is_refused(client: TestClient, dispatcher: Headers) -> None:
    headers = dispatcher | {"Idempotency-Key": "call-7782"}
    client.post(TICKETS, json=ticket_body(), headers=headers)
    response = client.post(TICKETS, json=ticket_body(fault="smoke"), headers=headers)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]


def test_dispatchers_only_reach_their_own_offices(client: TestClient, make_user: MakeUser) -> None:
    beijing = make_user(Role.DISPATCHER, offices=["BJ"])
    assert client.post(TICKETS, json=ticket_body(), headers=beijing).status_code == 403
    assert client.get(TICKETS, params={"office": "SH"}, headers=beijing).status_code == 403


def test_list_filters_by_office_status_and_date(
    client: TestClient, session: Session, admin: Headers
) -> None:
    ticket = add_ticket(session)
    wanted = {"office": "SH", "status": "awaiting_dispatch", "date": DAY.isoformat()}
    assert [t["id"] for t in client.get(TICKETS, params=wanted, headers=admin).json()] == [
        ticket.id
    ]
    assert client.get(TICKETS, params={"date": "2026-11-24"}, headers=admin).json() == []
    assert client.get(TICKETS, params={"status": "closed"}, headers=admin).json() == []


def test_late_risk_keeps_tickets_nobody_reached_near_their_deadline(
    client: TestClient, session: Session, admin: Headers
) -> None:
    late = add_ticket(session, called_at=datetime(2026, 11, 16, 9, tzinfo=SHANGHAI))
    add_ticket(session, called_at=datetime(2030, 6, 3, 9, tzinfo=SHANGHAI))
    found = client.get(TICKETS, params={"late_risk": True}, headers=admin).json()
    assert [t["id"] for t in found] == [late.id]


def test_a_stale_if_match_gets_412(client: TestClient, session: Session, admin: Headers) -> None:
    ticket = add_ticket(session)
    url = f"{TICKETS}/{ticket.id}/status"
    cancel = {"status": "cancelled"}
    assert client.post(url, json=cancel, headers=admin | {"If-Match": '"2"'}).status_code == 412
    done = client.post(url, json=cancel, headers=admin | {"If-Match": '"1"'})
    assert done.status_code == 200
    assert done.headers["ETag"] == '"2"'


def test_a_move_the_lifecycle_forbids_gets_409(
    client: TestClient, session: Session, admin: Headers
) -> None:
    ticket = add_ticket(session)
    response = client.post(
        f"{TICKETS}/{ticket.id}/status", json={"status": "on_site"}, headers=admin
    )
    assert response.status_code == 409
    assert "awaiting_dispatch" in response.json()["detail"]


def test_a_status_update_cannot_carry_an_engineer_or_a_priority(
    client: TestClient, session: Session, admin: Headers
) -> None:
    ticket = add_ticket(session)
    url = f"{TICKETS}/{ticket.id}/status"
    for smuggled in ({"assigned_engineer_id": "E02"}, {"priority": 9}):
        response = client.post(url, json={"status": "cancelled", **smuggled}, headers=admin)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == f"body.{next(iter(smuggled))}"


def test_engineers_report_with_actual_times_only_on_their_own_route(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    ticket = add_ticket(session)
    publish_route(session, [ticket], "E01")
    mine = make_user(Role.ENGINEER, engineer_id="E01")
    other = make_user(Role.ENGINEER, engineer_id="E02")
    url = f"{TICKETS}/{ticket.id}/status"
    body = {"status": "en_route", "at": "2026-11-23T10:05:00+08:00"}
    assert client.post(url, json=body, headers=other).status_code == 403
    response = client.post(url, json=body, headers=mine | {"If-Match": '"2"'})
    assert response.status_code == 200, response.json()
    assert response.json()["en_route_at"].startswith("2026-11-23T02:05")
    closing = client.post(url, json={"status": "cancelled"}, headers=mine)
    assert closing.status_code == 403
