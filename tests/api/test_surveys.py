"""Surveys over HTTP: recording (201/404/409/422), the report, and a race."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dispatch.store.users import Role
from tests.api.conftest import DAY, Headers, MakeUser
from tests.services.test_arrival_options import _published
from tests.services.test_surveys import GOOD, _close


def _closed_call(session: Session) -> int:
    plan = _published(session)
    ticket_id = plan.visits[0].ticket_id
    _close(session, ticket_id)
    session.commit()
    return ticket_id


def test_record_a_survey_then_read_the_report(
    client: TestClient, session: Session, dispatcher: Headers, make_user: MakeUser
) -> None:
    ticket_id = _closed_call(session)
    url = f"/api/v1/tickets/{ticket_id}/survey"
    elsewhere = make_user(Role.DISPATCHER, offices=["BJ"])
    assert client.post(url, json=GOOD, headers=elsewhere).status_code == 403
    created = client.post(url, json=GOOD | {"comment": "fine"}, headers=dispatcher)
    assert created.status_code == 201, created.json()
    assert created.json()["ratings"] == GOOD and created.json()["engineer_id"]
    assert client.post(url, json=GOOD, headers=dispatcher).status_code == 409
    report = client.get(
        "/api/v1/reports/surveys",
        params={"from": DAY.isoformat(), "to": DAY.isoformat()},
        headers=dispatcher,
    )
    assert report.status_code == 200
    assert report.json()["offices"]["SH"]["surveyed"] == 1
    assert report.json()["offices"]["SH"]["coverage"] == 1.0


def test_invalid_surveys_are_422_and_unknown_tickets_404(
    client: TestClient, session: Session, dispatcher: Headers
) -> None:
    ticket_id = _closed_call(session)
    url = f"/api/v1/tickets/{ticket_id}/survey"
    for body in (
        GOOD | {"attitude": 5},
        GOOD | {"technique": 0},
        GOOD | {"arrival_time": "good"},
        {"attitude": 4, "technique": 4, "arrival_time": 4},
        GOOD | {"score": 100},
    ):
        response = client.post(url, json=body, headers=dispatcher)
        assert response.status_code == 422, body
    unknown = client.post("/api/v1/tickets/99999/survey", json=GOOD, headers=dispatcher)
    assert unknown.status_code == 404
