"""A real ``dispatch serve`` process on a loopback port, and concurrent requests to it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import httpx
import pytest
from sqlalchemy.orm import Session

from dispatch.domain import TicketStatus
from dispatch.store.repository import PlanRepository, TicketRepository
from dispatch.store.users import Role
from tests.api.conftest import (
    DAY,
    Headers,
    MakeUser,
    add_ticket,
    publish_route,
    ticket_body,
)
from tests.api.live_server import live_server

RACERS = 8


@pytest.fixture
def server(database_url: str, session: Session) -> Iterator[str]:
    with live_server(database_url) as base:
        yield base


def test_the_server_serves_the_api(server: str, dispatcher: Headers) -> None:
    assert httpx.get(f"{server}/readyz").status_code == 200
    assert httpx.get(f"{server}/api/v1/tickets").status_code == 401
    created = httpx.post(f"{server}/api/v1/tickets", json=ticket_body(), headers=dispatcher)
    assert created.status_code == 201
    metrics = httpx.get(f"{server}/metrics").text
    assert 'route="/api/v1/tickets"' in metrics
    assert "event_loop_lag_seconds_count" in metrics, "the serving loop is watched"
    assert "solve_jobs_live" in metrics


def _race_all(sends: list[Callable[[], httpx.Response]]) -> list[int]:
    """Send the requests at once, one thread each; their status codes, in order."""
    return [response.status_code for response in _race_responses(sends)]


def _race_responses(sends: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Send the requests at once, one thread each; their responses, in order."""
    start = threading.Barrier(len(sends))
    responses: list[httpx.Response | None] = [None] * len(sends)

    def one(index: int) -> None:
        start.wait()
        responses[index] = sends[index]()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(sends))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [response for response in responses if response is not None]


def _race(count: int, send: Callable[[], httpx.Response]) -> list[int]:
    return _race_all([send] * count)


def test_racing_solve_requests_start_one_job(server: str, session: Session, admin: Headers) -> None:
    """One 202; every loser's 409 names the winner's job, whether it lost at the check
    for a live job or at the insert (``api/routers/plans.py``, ``_race_lost_to``)."""
    add_ticket(session)
    body = {"scope": "SH", "date": DAY.isoformat(), "seconds": 30}  # still live when read
    responses = _race_responses(
        [lambda: httpx.post(f"{server}/api/v1/plans", json=body, headers=admin, timeout=30)]
        * RACERS
    )
    [won] = [r.json()["id"] for r in responses if r.status_code == 202]
    httpx.delete(f"{server}/api/v1/jobs/{won}", headers=admin, timeout=30)
    lost = [r for r in responses if r.status_code != 202]
    assert [(r.status_code, r.json().get("job_id")) for r in lost] == [(409, won)] * (RACERS - 1)


def test_racing_status_updates_lose_nothing(server: str, session: Session, admin: Headers) -> None:
    """Of several updates from the same version exactly one wins; the others get 412/409."""
    ticket = add_ticket(session)
    statuses = _race(
        RACERS,
        lambda: httpx.post(
            f"{server}/api/v1/tickets/{ticket.id}/status",
            json={"status": "cancelled"},
            headers=admin | {"If-Match": '"1"'},
            timeout=30,
        ),
    )
    assert statuses.count(200) == 1
    assert set(statuses) - {200} <= {409, 412}
    session.expire_all()
    assert TicketRepository(session).get(ticket.id).version == 2


def test_engineer_reports_racing_a_publication_lose_nothing(
    server: str, session: Session, admin: Headers, make_user: MakeUser
) -> None:
    """A publication that takes tickets off a route races the engineer leaving for them.

    Whatever the interleaving, a report answered 200 is recorded, and a ticket taken off
    the route was not reported on by anyone who got a 200.
    """
    tickets = [add_ticket(session, lat=31.2 + 0.01 * n) for n in range(RACERS)]
    publish_route(session, tickets, "E01")
    replacement = PlanRepository(session).add(
        ["SH"], DAY, visits=[], unassigned=[(t.id, "moved") for t in tickets]
    )
    session.commit()
    engineer = make_user(Role.ENGINEER, engineer_id="E01")

    def leave_for(ticket_id: int) -> Callable[[], httpx.Response]:
        url = f"{server}/api/v1/tickets/{ticket_id}/status"
        body = {"status": "en_route"}
        return lambda: httpx.post(url, json=body, headers=engineer, timeout=30)

    publish_url = f"{server}/api/v1/plans/{replacement.id}/publish"
    sends = [leave_for(t.id) for t in tickets]
    sends.append(lambda: httpx.post(publish_url, headers=admin, timeout=30))
    *reports, published = _race_all(sends)
    assert published in (200, 409)
    session.expire_all()
    repository = TicketRepository(session)
    for ticket, status in zip(tickets, reports, strict=True):
        final = repository.get(ticket.id).status
        if status == 200:
            assert final is TicketStatus.EN_ROUTE
            assert repository.actual_times(ticket.id).en_route_at is not None
        else:
            assert final is (
                TicketStatus.AWAITING_DISPATCH if published == 200 else TicketStatus.DISPATCHED
            )
