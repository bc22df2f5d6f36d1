"""Reports through the API: who may read which, and the shapes."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dispatch.store.users import Role
from tests.api.conftest import DAY, Headers, MakeUser, add_ticket, publish_route

REPORTS = "/api/v1/reports"


def test_office_kpis_come_from_the_published_plan(
    client: TestClient, session: Session, dispatcher: Headers
) -> None:
    params = {"office": "SH", "date": DAY.isoformat()}
    assert client.get(f"{REPORTS}/kpis", params=params, headers=dispatcher).status_code == 404
    plan = publish_route(session, [add_ticket(session)], "E01")
    body = client.get(f"{REPORTS}/kpis", params=params, headers=dispatcher).json()
    assert (body["plan_id"], body["kpis"]["assigned"]) == (plan.id, 1)


def test_an_engineer_reads_only_their_own_daily_log(
    client: TestClient, make_user: MakeUser
) -> None:
    me = make_user(Role.ENGINEER, engineer_id="E01")
    params = {"date": DAY.isoformat()}
    mine = client.get(f"{REPORTS}/engineers/E01/daily", params=params, headers=me)
    assert mine.status_code == 200
    assert mine.json()["actual"] == {"A": 0.0, "B": 0.0, "C": 0.0, "D": 8.0}
    other = client.get(f"{REPORTS}/engineers/E02/daily", params=params, headers=me)
    assert other.status_code == 403


def test_compliance_covers_the_three_rules(
    client: TestClient, session: Session, dispatcher: Headers
) -> None:
    add_ticket(session)
    params = {"from": "2026-11-20", "to": DAY.isoformat()}
    body = client.get(f"{REPORTS}/compliance", params=params, headers=dispatcher).json()
    assert set(body["rules"]) == {"6h", "7h", "36h", "72h"}
    assert body["rules"]["6h"]["total"] == 1
    reversed_range = {"from": DAY.isoformat(), "to": "2026-11-20"}
    assert (
        client.get(f"{REPORTS}/compliance", params=reversed_range, headers=dispatcher).status_code
        == 422
    )
