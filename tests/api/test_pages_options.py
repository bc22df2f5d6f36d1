"""The board's arrival promise: a call registered on the intake page shows its options,
and assigning one makes a new plan version that differs from the published one by it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dispatch.services.arrival_options import arrival_options
from dispatch.store.repository import PlanRepository
from dispatch.store.users import Role
from tests.api.test_pages_security import _log_in
from tests.services.test_arrival_options import SHANGHAI, _published

FORM = {
    "office": "SH",
    "customer": "<b>上海地铁2号线</b>",
    "latitude": "31.2304",
    "longitude": "121.4737",
    "called_at": "2026-11-23T11:00+08:00",
    "product_line": "video-surveillance",
    "fault": "无图像",
    "kind": "C",
}


def _register(client: TestClient, csrf: str) -> int:
    response = client.post("/board/calls/new", data=FORM | {"csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/board/calls/(\d+)/options", response.headers["location"])
    assert found is not None
    return int(found[1])


def test_a_registered_call_shows_its_options_and_one_becomes_a_plan_version(
    client: TestClient, session: Session
) -> None:
    published = _published(session)
    _, csrf = _log_in(client, session, Role.DISPATCHER)
    ticket_id = _register(client, csrf)
    shown = client.get(f"/board/calls/{ticket_id}/options")
    assert shown.status_code == 200
    assert "&lt;b&gt;上海地铁2号线&lt;/b&gt;" in shown.text, "customer text is escaped"
    best = arrival_options(session, ticket_id).options[0]
    keys = re.findall(r'name="key" value="([^"]+)"', shown.text)
    assert keys and keys[0] == best.key, "the page offers the service's options, best first"
    assert best.eta.astimezone(SHANGHAI).strftime("%m-%d %H:%M") in shown.text
    chosen = client.post(
        f"/board/calls/{ticket_id}/assign",
        data={"csrf": csrf, "plan_id": str(published.id), "key": keys[0]},
        follow_redirects=False,
    )
    assert chosen.status_code == 303
    plan_id = int(chosen.headers["location"].rsplit("/", 1)[1])
    plan = PlanRepository(session).get(plan_id)
    assert not plan.published and plan.version == published.version + 1
    assert ticket_id in {v.ticket_id for v in plan.visits}
    assert client.get(chosen.headers["location"]).status_code == 200


def test_a_stale_option_shows_the_conflict_and_stores_nothing(
    client: TestClient, session: Session
) -> None:
    published = _published(session)
    _, csrf = _log_in(client, session, Role.DISPATCHER)
    ticket_id = _register(client, csrf)
    refused = client.post(
        f"/board/calls/{ticket_id}/assign",
        data={"csrf": csrf, "plan_id": str(published.id), "key": "E01:99"},
    )
    assert refused.status_code == 409
    assert 'role="alert"' in refused.text
    latest = PlanRepository(session).latest(published.scope, published.plan_date)
    assert latest is not None and latest.id == published.id, "no new version stored"
