"""Many concurrent authenticated requests against a real server: all answered, no 5xx.

Before the fix, ~60 concurrent requests with a valid token stopped the server: each
request's token lookup checked out a pooled connection in one worker thread and then
waited, holding it "idle in transaction", for another thread to run the endpoint, while
the threads were all taken by requests waiting for a connection.
"""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.store.users import Role
from tests.api.conftest import DAY, Headers, MakeUser, add_ticket, publish_route
from tests.api.live_server import live_server

CONCURRENT = 150
NO_LIMITS = {"RATE_LIMIT_PER_TOKEN": "100000", "RATE_LIMIT_PER_ADDRESS": "100000"}
"""The abuse limits would answer most of a one-address burst with 429; here we want load."""


async def _load(base: str, dispatcher: Headers, engineer: Headers) -> tuple[list[int], list[int]]:
    """Send CONCURRENT requests at once while probing /healthz; both lists of statuses."""
    limits = httpx.Limits(max_connections=CONCURRENT + 10)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        done = asyncio.Event()

        async def one(n: int) -> int:
            if n % 2:
                url = f"/api/v1/engineers/E01/route?date={DAY.isoformat()}"
                return (await client.get(url, headers=engineer)).status_code
            return (await client.get("/api/v1/tickets?limit=1", headers=dispatcher)).status_code

        async def probe() -> list[int]:
            statuses = []
            async with httpx.AsyncClient(base_url=base, timeout=10) as prober:
                while not done.is_set():
                    statuses.append((await prober.get("/healthz")).status_code)
                    await asyncio.sleep(0.05)
            return statuses

        prober = asyncio.create_task(probe())
        answers = await asyncio.gather(*(one(n) for n in range(CONCURRENT)))
        done.set()
        return list(answers), await prober


def test_concurrent_requests_are_all_answered_and_healthz_stays_up(
    database_url: str, session: Session, make_user: MakeUser
) -> None:
    publish_route(session, [add_ticket(session, lat=31.2 + 0.01 * n) for n in range(3)], "E01")
    dispatcher = make_user(Role.DISPATCHER, offices=["SH"])
    engineer = make_user(Role.ENGINEER, engineer_id="E01")
    with live_server(database_url, NO_LIMITS) as base:
        answers, probes = asyncio.run(_load(base, dispatcher, engineer))
        after = httpx.get(f"{base}/api/v1/tickets?limit=1", headers=dispatcher, timeout=10)
        stuck = _idle_in_transaction(session)
    assert answers == [200] * CONCURRENT
    assert probes and set(probes) == {200}
    assert after.status_code == 200
    assert stuck == 0


def _idle_in_transaction(session: Session) -> int:
    """PostgreSQL sessions of this database left idle inside a transaction (0 on SQLite)."""
    if session.get_bind().dialect.name != "postgresql":
        return 0
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND state = 'idle in transaction' AND pid <> pg_backend_pid()"
    )
    count: int = session.scalar(query) or 0
    session.rollback()
    return count
