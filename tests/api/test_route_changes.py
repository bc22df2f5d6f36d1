"""``GET /engineers/{id}/route/changes?since=PLAN``: what a phone must update, and only that."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dispatch.domain import Plan, Ticket, Visit
from dispatch.services.publishing import publish_plan
from dispatch.store.repository import PlanRepository
from dispatch.store.users import Role
from tests.api.conftest import DAY, Headers, MakeUser, add_ticket, publish_route


def _publish(session: Session, stops: list[tuple[Ticket, timedelta]]) -> Plan:
    """A published SH plan giving E01 ``stops``, each arriving ``shift`` before its deadline."""
    visits = [
        Visit(
            t.id, "E01", n, t.deadline - shift, t.deadline - shift + timedelta(hours=1), t.deadline
        )
        for n, (t, shift) in enumerate(stops, start=1)
    ]
    plan = PlanRepository(session).add(["SH"], DAY, visits=visits)
    publish_plan(session, plan.id)
    session.commit()
    return plan


def _changes(client: TestClient, headers: Headers, **params: Any) -> Any:
    response = client.get(
        "/api/v1/engineers/E01/route/changes",
        params={"date": DAY.isoformat(), **params},
        headers=headers,
    )
    return response.status_code, response.json()


def test_changes_since_the_route_version_last_seen(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    a, b, c, d = (add_ticket(session, lat=31.20 + n / 100) for n in range(4))
    hour = timedelta(hours=1)
    minute = timedelta(minutes=1)
    seen = _publish(session, [(a, 3 * hour), (b, 2 * hour + 50 * minute), (c, hour)])
    current = _publish(
        session, [(b, 2 * hour + 55 * minute), (a, 2 * hour + 50 * minute), (d, hour)]
    )
    me = make_user(Role.ENGINEER, engineer_id="E01")
    status, body = _changes(client, me, since=seen.id)
    assert status == 200
    assert (body["since"], body["current"]) == (seen.id, current.id)
    assert (body["added"], body["removed"]) == ([d.id], [c.id])
    assert sorted(body["moved"]) == sorted([a.id, b.id])
    assert body["eta_shifted"] == [], "10 minutes is no news"
    _, first_fetch = _changes(client, me)
    assert first_fetch["added"] == [b.id, a.id, d.id]


def test_an_eta_shift_over_15_minutes_is_reported(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    a = add_ticket(session)
    seen = _publish(session, [(a, timedelta(hours=2))])
    _publish(session, [(a, timedelta(hours=1, minutes=30))])
    _, body = _changes(client, make_user(Role.ENGINEER, engineer_id="E01"), since=seen.id)
    assert body["eta_shifted"] == [[a.id, 30]]


def test_bad_since_and_other_engineers(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    publish_route(session, [add_ticket(session)], "E01")
    me = make_user(Role.ENGINEER, engineer_id="E01")
    assert _changes(client, me, since=999_999)[0] == 404
    assert _changes(client, me, since=0)[0] == 422
    other = make_user(Role.ENGINEER, engineer_id="E02")
    assert _changes(client, other)[0] == 403


def test_concurrent_phones_get_the_same_answer(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    seen = publish_route(session, [add_ticket(session)], "E01")
    publish_route(session, [add_ticket(session, lat=31.3)], "E01")
    me = make_user(Role.ENGINEER, engineer_id="E01")
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: _changes(client, me, since=seen.id), range(16)))
    assert all(answer == answers[0] for answer in answers) and answers[0][0] == 200
