"""The broker goes away (issue 11): a proxy in front of RabbitMQ, which the API and the
worker both go through, is cut and restored.

While it is cut, a new job gets 503 problem+json with ``Retry-After`` (not a job that
would never start), stored plans stay readable and ``/readyz`` says what is wrong; once
it is back, jobs run again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from kombu.utils.url import url_to_parts
from sqlalchemy.orm import Session

from api.main import create_app
from api.settings import ApiSettings
from tests.api.conftest import DAY, Headers, add_ticket, finished, wait_for_job
from tests.tasks.conftest import BROKER_URL, Workers, consumers, wait_until
from tests.tcp_proxy import TcpProxy, tcp_proxy

pytestmark = pytest.mark.postgres


@pytest.fixture
def broker_proxy() -> Iterator[TcpProxy]:
    parts = url_to_parts(BROKER_URL)
    with tcp_proxy(parts.hostname or "127.0.0.1", parts.port or 5672) as proxy:
        yield proxy


@pytest.fixture
def proxied(queue_settings: ApiSettings, broker_proxy: TcpProxy) -> ApiSettings:
    url = f"amqp://guest:guest@127.0.0.1:{broker_proxy.port}//"
    return queue_settings.model_copy(update={"broker_url": url})


def _plan(client: TestClient, headers: Headers, scope: str) -> httpx.Response:
    body = {"scope": scope, "date": DAY.isoformat(), "seconds": 1}
    return client.post("/api/v1/plans", json=body, headers=headers)


def test_while_the_broker_is_down_new_jobs_get_503_plans_stay_readable_and_jobs_resume(
    proxied: ApiSettings,
    broker_proxy: TcpProxy,
    tmp_path: Path,
    session: Session,
    admin: Headers,
) -> None:
    add_ticket(session)
    workers = Workers(proxied, tmp_path)
    try:
        with TestClient(create_app(proxied)) as client:
            workers.start()
            runner = client.app.state.runner  # type: ignore[attr-defined]
            wait_until(lambda: consumers(runner, "plans") == 1, "the worker")
            before = wait_for_job(
                client, _plan(client, admin, "SH").json()["id"], admin, until=finished
            )
            assert before["status"] == "succeeded", before

            broker_proxy.cut()
            refused = _plan(client, admin, "HZ")
            assert refused.status_code == 503
            assert refused.headers["content-type"] == "application/problem+json"
            assert int(refused.headers["Retry-After"]) > 0
            assert (
                client.get(f"/api/v1/plans/{before['plan_id']}", headers=admin).status_code == 200
            )
            ready = client.get("/readyz")
            assert ready.status_code == 200
            assert ready.json()["jobs"]["broker"].startswith("unreachable")
            assert client.get("/metrics").status_code == 200

            broker_proxy.restore()
            wait_until(lambda: consumers(runner, "plans") == 1, "the worker back", 60)
            accepted = _plan(client, admin, "HZ")
            assert accepted.status_code == 202
            after = wait_for_job(client, accepted.json()["id"], admin, until=finished)
            assert after["status"] == "succeeded", after
    finally:
        workers.stop_all()
