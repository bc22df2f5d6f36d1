"""A database outage mid-solve (issue 9, item 2): a proxy between the API and PostgreSQL
is cut while a plan runs, then restored.

The job must end (failed, or succeeded if its result got through), never stay ``running``
with no worker; meanwhile the API answers 503 problem+json with ``Retry-After`` and
``/metrics`` stays up. PostgreSQL only: the outage is a cut network connection, which a
SQLite file does not have (marked ``postgres``: deselected on SQLite, never skipped).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from api.main import create_app
from api.settings import ApiSettings
from tests.api.conftest import DAY, Headers, add_ticket, finished, wait_for_job
from tests.tcp_proxy import TcpProxy, tcp_proxy

pytestmark = pytest.mark.postgres
OUTAGE_S = 3.0
"""Longer than the solve, so the worker's result and its job's end meet the outage."""


@pytest.fixture
def proxy(database_url: str) -> Iterator[TcpProxy]:
    url = make_url(database_url)
    with tcp_proxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        yield proxy


@pytest.fixture
def proxied_client(
    database_url: str, proxy: TcpProxy, session: Session, organisation: None
) -> Iterator[TestClient]:
    through = make_url(database_url).set(host="127.0.0.1", port=proxy.port)
    settings = ApiSettings(
        database_url=through.render_as_string(hide_password=False),
        solve_workers=1,
        emergency_workers=0,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def _plan(client: TestClient, headers: Headers) -> Any:
    body = {"scope": "SH", "date": DAY.isoformat(), "seconds": 2}
    return client.post("/api/v1/plans", json=body, headers=headers)


def test_a_database_outage_mid_solve_ends_the_job_and_the_api_answers_503(
    proxied_client: TestClient, proxy: TcpProxy, session: Session, dispatcher: Headers
) -> None:
    for n in range(3):
        add_ticket(session, lat=31.20 + 0.02 * n)
    client = proxied_client
    job_id = _plan(client, dispatcher).json()["id"]
    wait_for_job(client, job_id, dispatcher, until=lambda job: job["status"] == "running")

    proxy.cut()
    refused = client.get(f"/api/v1/jobs/{job_id}", headers=dispatcher)
    assert refused.status_code == 503
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.json()["status"] == 503
    scraped = client.get("/metrics")
    assert scraped.status_code == 200
    assert "database_up 0.0" in scraped.text
    assert client.get("/readyz").status_code == 503
    time.sleep(OUTAGE_S)
    proxy.restore()

    job = wait_for_job(client, job_id, dispatcher, until=finished)
    assert job["status"] in ("failed", "succeeded"), job
    assert job["status"] == "succeeded" or job["failure_reason"]
    again = _plan(client, dispatcher)
    assert again.status_code == 202, again.json()
    assert "database_up 1.0" in client.get("/metrics").text
    client.delete(f"/api/v1/jobs/{again.json()['id']}", headers=dispatcher)
