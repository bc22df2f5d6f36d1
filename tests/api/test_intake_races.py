"""Racing requests to a real server: arrival options and assigns, and surveys."""

from __future__ import annotations

import httpx
from sqlalchemy.orm import Session

from dispatch.store.repository import PlanRepository
from tests.api.conftest import DAY, Headers
from tests.api.test_server import _race, _race_all, server  # noqa: F401 (the server fixture)
from tests.services.test_arrival_options import _call, _published
from tests.services.test_surveys import GOOD, _close


def test_racing_options_assigns_and_surveys_never_fail(
    server: str,  # noqa: F811
    session: Session,
    dispatcher: Headers,
) -> None:
    """Options are read-only; each assign stores its own version or collides (409); of
    racing surveys of one call exactly one is stored."""
    published = _published(session)
    ticket = _call(session)
    url = f"{server}/api/v1/tickets/{ticket.id}"
    found = httpx.post(f"{url}/options", json={}, headers=dispatcher, timeout=30).json()
    key = found["options"][0]["key"]
    body = {"plan_id": published.id, "option": key}
    sends = [lambda: httpx.post(f"{url}/options", json={}, headers=dispatcher, timeout=60)] * 4 + [
        lambda: httpx.post(f"{url}/assign", json=body, headers=dispatcher, timeout=60)
    ] * 3
    statuses = _race_all(sends)
    assert statuses[:4] == [200] * 4
    assert set(statuses[4:]) <= {201, 409} and 201 in statuses[4:]
    session.expire_all()
    latest = PlanRepository(session).latest(["SH"], DAY)
    assert latest is not None and latest.version == 1 + statuses[4:].count(201)

    closed = published.visits[0].ticket_id
    _close(session, closed)
    session.commit()
    survey = f"{server}/api/v1/tickets/{closed}/survey"
    surveys = _race(6, lambda: httpx.post(survey, json=GOOD, headers=dispatcher, timeout=30))
    assert sorted(surveys) == [201] + [409] * 5
