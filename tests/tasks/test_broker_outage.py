"""The broker goes away (issue 11): a RabbitMQ node started for this test, on its own
port (``tests/tasks/rabbitmq_node.py``), is stopped and started again.

While it is down, a new job gets 503 problem+json with ``Retry-After`` (not a job that
would never start), stored plans stay readable and ``/readyz`` says what is wrong; once
it is back, the worker reconnects and jobs run again. The node starts while the worker
and the API start (the worker retries its connection), so the restart is the only wait.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.main import create_app
from api.settings import ApiSettings
from tests.api.conftest import DAY, Headers, add_ticket, finished, wait_for_job
from tests.tasks.conftest import Workers, consumers, wait_until
from tests.tasks.rabbitmq_node import RabbitNode, available

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not available(), reason="rabbitmq-server is not installed"),
]


@pytest.fixture
def broker() -> Iterator[RabbitNode]:
    node = RabbitNode(Path(tempfile.mkdtemp(prefix="fsdtest-rabbit-")))
    node.start()
    try:
        yield node
    finally:
        node.remove()


def _plan(client: TestClient, headers: Headers, scope: str) -> httpx.Response:
    body = {"scope": scope, "date": DAY.isoformat(), "seconds": 1}
    return client.post("/api/v1/plans", json=body, headers=headers)


def test_while_the_broker_is_down_new_jobs_get_503_plans_stay_readable_and_jobs_resume(
    queue_settings: ApiSettings,
    broker: RabbitNode,
    tmp_path: Path,
    session: Session,
    admin: Headers,
) -> None:
    own = queue_settings.model_copy(update={"broker_url": broker.url})
    add_ticket(session)
    workers = Workers(own, tmp_path)
    try:
        workers.start()
        broker.wait_ready()
        with TestClient(create_app(own)) as client:
            runner = client.app.state.runner  # type: ignore[attr-defined]
            wait_until(lambda: consumers(runner, "plans") == 1, "the worker")
            before = wait_for_job(
                client, _plan(client, admin, "SH").json()["id"], admin, until=finished
            )
            assert before["status"] == "succeeded", before

            broker.stop()
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

            broker.start()
            broker.wait_ready()
            wait_until(lambda: consumers(runner, "plans") == 1, "the worker back", 60)
            accepted = _plan(client, admin, "HZ")
            assert accepted.status_code == 202
            after = wait_for_job(client, accepted.json()["id"], admin, until=finished)
            assert after["status"] == "succeeded", after
    finally:
        workers.stop_all()
