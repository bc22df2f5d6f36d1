"""Hostile but fair input (issue 9): reported times, extreme times, strict types, bugs.

Each test here failed on main: implausible reported times were stored and counted on time,
extreme call times were a 500, ``true`` was a latitude, and a bug was a 422.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.main import create_app
from api.settings import ApiSettings
from dispatch.services import tickets as ticket_service
from dispatch.times import CLOCK_SKEW
from tests.api.conftest import Headers, add_ticket, publish_route, ticket_body

TICKETS = "/api/v1/tickets"


def _report(client: TestClient, ticket_id: int, headers: Headers, **body: Any) -> Any:
    return client.post(f"{TICKETS}/{ticket_id}/status", json=body, headers=headers)


def _refused_on(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]], response.json()


@pytest.fixture
def dispatched(session: Session) -> int:
    """A ticket called at 09:00 +08:00 on the test day, on E01's published route."""
    ticket = add_ticket(session)
    publish_route(session, [ticket], "E01")
    return ticket.id


@pytest.mark.parametrize(
    "at",
    [
        "2026-11-23T09:00:00+08:00",  # the call itself
        "2026-11-23T08:59:00+08:00",  # before the call
        "1970-01-01T00:00:00+00:00",
        "9999-12-31T23:59:59+14:00",
    ],
)
def test_a_reported_time_not_after_the_call_or_out_of_range_is_refused(
    client: TestClient, admin: Headers, dispatched: int, at: str
) -> None:
    _refused_on(_report(client, dispatched, admin, status="en_route", at=at), "body.at")
    detail = client.get(f"{TICKETS}/{dispatched}", headers=admin).json()
    assert detail["status"] == "dispatched"
    assert detail["en_route_at"] is None


def test_a_reported_time_in_the_future_beyond_the_clock_skew_is_refused(
    client: TestClient, admin: Headers, dispatched: int
) -> None:
    ahead = datetime.now(UTC) + CLOCK_SKEW + timedelta(minutes=2)
    response = _report(client, dispatched, admin, status="en_route", at=ahead.isoformat())
    _refused_on(response, "body.at")
    within = datetime.now(UTC) + CLOCK_SKEW / 2
    accepted = _report(client, dispatched, admin, status="en_route", at=within.isoformat())
    assert accepted.status_code == 200, accepted.text


def test_arriving_before_leaving_is_refused_and_the_report_counts_only_plausible_times(
    client: TestClient, admin: Headers, dispatched: int
) -> None:
    left = _report(client, dispatched, admin, status="en_route", at="2026-11-23T10:00:00+08:00")
    assert left.status_code == 200
    early = _report(client, dispatched, admin, status="on_site", at="2026-11-23T09:30:00+08:00")
    _refused_on(early, "body.at")
    arrived = _report(client, dispatched, admin, status="on_site", at="2026-11-23T10:30:00+08:00")
    assert arrived.status_code == 200
    assert arrived.json()["arrived_at"] == "2026-11-23T02:30:00Z"


@pytest.mark.parametrize(
    "called_at", ["9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00+14:00", "1999-12-31T12:00Z"]
)
def test_extreme_call_times_are_a_422_on_the_field_not_a_500(
    client: TestClient, dispatcher: Headers, called_at: str
) -> None:
    response = client.post(TICKETS, json=ticket_body(called_at=called_at), headers=dispatcher)
    _refused_on(response, "body.called_at")


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"latitude": True}, "body.latitude"),
        ({"called_at": 12345}, "body.called_at"),
        ({"called_at": "12345"}, "body.called_at"),
        ({"remote_failed": 0}, "body.remote_failed"),
        ({"priority": "3"}, "body.priority"),
        ({"product_line": "toasters"}, "body.product_line"),
        ({"fault": ""}, "body.fault"),
        ({"fault": "x" * 3000}, "body.fault"),
    ],
)
def test_types_are_strict_at_the_edge(
    client: TestClient, dispatcher: Headers, overrides: dict[str, Any], field: str
) -> None:
    response = client.post(TICKETS, json=ticket_body(**overrides), headers=dispatcher)
    _refused_on(response, field)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"date": "0"}, "query.date"),
        ({"date": "9999-12-31"}, "query.date"),
        ({"ofice": "SH"}, "query.ofice"),
    ],
)
def test_query_days_are_iso_in_range_and_unknown_parameters_are_refused(
    client: TestClient, admin: Headers, params: dict[str, str], field: str
) -> None:
    _refused_on(client.get(TICKETS, params=params, headers=admin), field)


@pytest.mark.parametrize("if_match", ["null", '"abc"', "1,2"])
def test_an_if_match_that_names_no_version_is_refused_before_anything_else(
    client: TestClient, admin: Headers, dispatched: int, if_match: str
) -> None:
    headers = admin | {"If-Match": if_match}
    response = client.post(
        f"{TICKETS}/{dispatched}/status", json={"status": "cancelled"}, headers=headers
    )
    _refused_on(response, "header.if-match")


def test_a_body_that_is_not_json_is_a_400(client: TestClient, dispatcher: Headers) -> None:
    headers = dispatcher | {"Content-Type": "application/json"}
    response = client.post(TICKETS, content=b'{"office": "SH",', headers=headers)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "not valid JSON" in response.json()["detail"]


def test_a_solve_longer_than_the_server_cap_is_beyond_the_schema_too(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    seconds = schema["components"]["schemas"]["PlanRequest"]["properties"]["seconds"]
    assert {"type": "integer", "minimum": 1, "maximum": 60} in seconds["anyOf"]


def test_a_sane_request_id_is_echoed_and_a_hostile_one_replaced(
    client: TestClient, admin: Headers
) -> None:
    mine = client.get(TICKETS, headers=admin | {"X-Request-ID": "call-42.a:b"})
    assert mine.headers["X-Request-ID"] == "call-42.a:b"
    for hostile in ("x" * 65, "a b", "id\\n", "<script>"):
        answer = client.get(TICKETS, headers=admin | {"X-Request-ID": hostile})
        assert answer.headers["X-Request-ID"] != hostile
        assert len(answer.headers["X-Request-ID"]) == 32


def test_concurrent_requests_each_get_their_own_request_id(
    client: TestClient, admin: Headers
) -> None:
    def ask(n: int) -> tuple[str, str, str]:
        mine = f"req-{n}"
        bad = client.get(TICKETS, params={"date": "0"}, headers=admin | {"X-Request-ID": mine})
        return mine, bad.headers["X-Request-ID"], bad.json()["request_id"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(ask, range(24)))
    assert all(sent == header == body for sent, header, body in answers)


@pytest.fixture
def bug_client(api_settings: ApiSettings, session: Session) -> Iterator[TestClient]:
    """The app with server errors answered (not re-raised into the test)."""
    with TestClient(create_app(api_settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.mark.parametrize(
    "bug", [KeyError("office"), ValueError("bad state"), IndexError("row index")]
)
def test_a_bug_is_a_logged_500_with_a_request_id_not_a_client_error(
    bug_client: TestClient,
    admin: Headers,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    bug: Exception,
) -> None:
    ticket = add_ticket(session)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise bug

    monkeypatch.setattr(ticket_service, "view", broken)
    with caplog.at_level(logging.ERROR, logger="api.problems"):
        response = bug_client.get(f"{TICKETS}/{ticket.id}", headers=admin)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    request_id = response.headers["X-Request-ID"]
    assert response.json()["request_id"] == request_id
    assert str(bug) not in response.json()["detail"]
    logged = [r for r in caplog.records if request_id in r.getMessage()]
    assert logged, [r.getMessage() for r in caplog.records]
    assert logged[0].exc_info is not None and logged[0].exc_info[1] is bug
