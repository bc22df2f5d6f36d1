"""``GET /plans/{id}/document``: the typed plan document the board and the CLI show."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dispatch.services.plan_document import load_plan_document
from dispatch.services.planning import plan_day
from dispatch.store.users import Role
from solver import SolveParams
from tests.api.conftest import DAY, Headers, MakeUser, add_ticket


def test_the_document_is_the_one_the_cli_prints_with_times_in_office_time(
    client: TestClient, session: Session, dispatcher: Headers, make_user: MakeUser
) -> None:
    tickets = [add_ticket(session, lat=31.20 + 0.02 * n).id for n in range(3)]
    plan = plan_day(session, scope="SH", day=DAY, params=SolveParams(time_limit_s=1.0))
    session.commit()
    response = client.get(f"/api/v1/plans/{plan.id}/document", headers=dispatcher)
    assert response.status_code == 200, response.json()
    assert response.headers["ETag"] == f'"{plan.version}"'
    body = response.json()
    assert body == load_plan_document(session, plan).model_dump(mode="json")
    stops = [s for r in body["routes"] for s in r["stops"]]
    unassigned = [u["ticket_id"] for u in body["unassigned"]]
    assert sorted([s["ticket_id"] for s in stops] + unassigned) == sorted(tickets)
    assert all(s["arrival"].endswith("+08:00") for s in stops)
    assert body["kpis"]["assigned"] == len(stops)
    engineer = make_user(Role.ENGINEER, engineer_id="E01")
    assert client.get(f"/api/v1/plans/{plan.id}/document", headers=engineer).status_code == 403
    assert client.get("/api/v1/plans/999999/document", headers=dispatcher).status_code == 404


def test_the_openapi_document_describes_the_kpis_field_by_field(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert {"on_time_by_rule", "travel_km", "engineers", "reasons"} <= set(
        schemas["Kpis"]["properties"]
    )
    assert "next_day" in schemas["EngineerFigures"]["properties"]
