"""Rate limits per token, per address and per failed authentication: 429 + Retry-After."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.main import create_app
from api.settings import ApiSettings
from dispatch.store.users import Role
from tests.api.conftest import UNLIMITED, MakeUser

BURST = 5
SLOW = {"rate_limit_burst_seconds": 500.0}
"""0.01 requests a second with a 500 s burst: 5 at once, then one every 100 s."""
TICKETS = "/api/v1/tickets?limit=1"


@pytest.fixture
def limited(api_settings: ApiSettings, session: Session) -> Iterator[Any]:
    """``limited(rate_limit_per_token=0.01)``: a client of an app with that limit."""
    clients: list[TestClient] = []

    def make(**limits: float) -> TestClient:
        settings = api_settings.model_copy(update=UNLIMITED | SLOW | limits)
        client = TestClient(create_app(settings))
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def _assert_too_many(response: Any) -> None:
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["status"] == 429


def test_a_burst_on_one_token_gets_429_and_other_tokens_do_not(
    limited: Any, make_user: MakeUser
) -> None:
    client = limited(rate_limit_per_token=0.01)
    flooder, other = make_user(Role.ADMIN), make_user(Role.ADMIN)
    statuses = [client.get(TICKETS, headers=flooder).status_code for _ in range(BURST)]
    assert statuses == [200] * BURST
    _assert_too_many(client.get(TICKETS, headers=flooder))
    assert client.get(TICKETS, headers=other).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_bad_tokens_from_one_address_get_429(limited: Any) -> None:
    client = limited(rate_limit_per_address=0.01)
    bad = [{"Authorization": f"Bearer guess-{n}"} for n in range(BURST + 3)]
    statuses = [client.get(TICKETS, headers=headers).status_code for headers in bad]
    assert statuses[:BURST] == [401] * BURST
    _assert_too_many(client.get(TICKETS, headers=bad[0]))


def test_failed_authentications_lock_the_address_out_even_with_a_good_token(
    limited: Any, make_user: MakeUser
) -> None:
    client = limited(rate_limit_failed_auth=0.01)
    good = make_user(Role.ADMIN)
    for n in range(BURST):
        assert client.get(TICKETS, headers={"Authorization": f"Bearer x{n}"}).status_code == 401
    _assert_too_many(client.get(TICKETS, headers=good))
