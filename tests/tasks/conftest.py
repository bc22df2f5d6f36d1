"""Real Celery workers on the local RabbitMQ, against the suite's PostgreSQL database.

Every test here is marked ``postgres``: worker processes on other "machines" need a
database server (on SQLite the tests are deselected, not skipped). Queue names carry a
prefix private to this test session, so parallel runs on one broker do not collide.
Workers are started as real ``dispatch worker`` processes and killed by the fixtures.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from kombu import Connection
from sqlalchemy.orm import Session

from api.main import create_app
from api.settings import ApiSettings
from dispatch.tasks.app import EMERGENCY, PARTS, PLANS
from dispatch.tasks.runner import CeleryRunner
from tests.api.conftest import admin, make_user, organisation  # noqa: F401 (fixtures)

BROKER_URL = os.environ.get("TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
LEASE_S = 1.5
MAX_ATTEMPTS = 2
QUEUE_PREFIX = f"fsdtest-{secrets.token_hex(4)}"


@pytest.fixture(scope="session")
def queue_settings(database_url: str) -> ApiSettings:
    return ApiSettings(
        database_url=database_url,
        job_backend="celery",
        broker_url=BROKER_URL,
        queue_prefix=QUEUE_PREFIX,
        job_lease_seconds=LEASE_S,
        job_max_attempts=MAX_ATTEMPTS,
        solve_seconds_default=1,
        events_poll_seconds=0.1,
    )


@pytest.fixture
def queue_client(queue_settings: ApiSettings, session: Session) -> Iterator[TestClient]:
    with TestClient(create_app(queue_settings)) as client:
        yield client


class Workers:
    """``dispatch worker`` processes of this test; each in its own process group."""

    def __init__(
        self, settings: ApiSettings, log_dir: Path, env: dict[str, str] | None = None
    ) -> None:
        self._settings = settings
        self._log_dir = log_dir
        self._env = env or {}
        self.processes: list[subprocess.Popen[bytes]] = []
        self.queues: dict[int, str] = {}
        self.logs: list[Path] = []

    def start(self, queues: str = "plans,emergency") -> subprocess.Popen[bytes]:
        n = len(self.processes)
        log = self._log_dir / f"worker-{n}.log"
        env = (
            os.environ
            | {
                "DATABASE_URL": self._settings.database_url,
                "BROKER_URL": self._settings.broker_url,
                "QUEUE_PREFIX": self._settings.queue_prefix,
                "JOB_LEASE_SECONDS": str(self._settings.job_lease_seconds),
                "JOB_MAX_ATTEMPTS": str(self._settings.job_max_attempts),
            }
            | self._env
        )
        command = [
            str(Path(sys.executable).parent / "dispatch"),
            "worker",
            f"--queues={queues}",
            "--concurrency=1",
            f"--name=w{n}-{self._settings.queue_prefix}@test",
        ]
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.processes.append(process)
        self.queues[process.pid] = queues
        self.logs.append(log)
        return process

    def alive(self, queues: str = "plans,emergency") -> list[subprocess.Popen[bytes]]:
        """The live workers started for ``queues``."""
        return [p for p in self.processes if p.poll() is None and self.queues[p.pid] == queues]

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """``kill -9`` the worker and its pool (a machine lost)."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


@pytest.fixture(scope="module")
def workers(
    queue_settings: ApiSettings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workers]:
    """Workers shared by a module's tests (starting one takes seconds); a test that
    kills some leaves the next to start replacements."""
    pool = Workers(queue_settings, tmp_path_factory.mktemp("workers"))
    try:
        yield pool
    finally:
        pool.stop_all()


def wait_until(condition: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    """Poll ``condition`` until it returns something truthy (bounded)."""
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def consumers(runner: CeleryRunner, queue: str) -> int:
    status = runner.status()
    return int(status.get("queues", {}).get(queue, {}).get("workers", 0))


@pytest.fixture(scope="session", autouse=True)
def _delete_test_queues() -> Iterator[None]:
    """Leave nothing of this session on the shared broker."""
    yield
    with Connection(BROKER_URL, connect_timeout=2) as connection:
        for name in (PLANS, EMERGENCY, PARTS):
            queue = f"{QUEUE_PREFIX}.{name}"
            with contextlib.suppress(Exception), connection.channel() as channel:
                channel.queue_delete(queue)
            with contextlib.suppress(Exception), connection.channel() as channel:
                channel.exchange_delete(queue)
