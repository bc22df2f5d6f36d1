"""Queue benchmark: emergency re-plan latency with busy workers, and plan throughput.

Usage (from the repository root; RabbitMQ at BROKER_URL, a PostgreSQL server)::

    .venv/bin/python bench/job_queue.py --server postgresql+psycopg://postgres@127.0.0.1:5432/test \
        --repeat 20 --out bench/results/queue-YYYYMMDD.json

It creates a throwaway database on the server (dropped at the end), seeds the ``normal``
day and, for throughput, further days, then measures with the API in this process
(``create_app``, requests through its ASGI client) and real worker processes:

1. **Emergency latency**: ``--repeat`` re-plans of Shanghai (1 s solve, one urgent call,
   cancelled afterwards), from ``POST /replans`` to the job's end, p50 and p95; for the
   embedded runner (2 shared slots + 1 emergency slot) and for Celery (2 ``plans,emergency``
   workers + 1 ``emergency`` worker), each with idle workers and with both ordinary
   workers kept busy by 5 s regional daily plans.
2. **Throughput**: ``--plans`` country plans of ``--plan-seconds`` (one per seeded day),
   submitted at once to 1 and then 2 Celery workers: plans completed per minute.

Timings on a shared machine are only as good as the CPU the processes got: the load
average is recorded beside them. Measurements, not tests: nothing here runs in CI.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from api_load import URGENT as CALL  # bench/ is the script's directory
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import ApiSettings
from dispatch.services.auth import create_user
from dispatch.services.seeding import seed
from dispatch.store import make_engine, session_factory, session_scope
from dispatch.store.migrate import throwaway_database
from dispatch.store.users import Role

DAY = date(2026, 11, 23)
URGENT = CALL | {"called_at": "2026-11-23T13:00:00+08:00"}
BUSY_SCOPES = ("region:North", "region:South")
POLL_S = 0.05


def prepare(url: str, days: int) -> str:
    """Seed ``days`` days from DAY; return an admin's token."""
    with session_scope(session_factory(make_engine(url))) as session:
        for n in range(days):
            seed(session, scenario="normal", day=DAY + timedelta(days=n), seed=7)
        _, token = create_user(session, name="bench", role=Role.ADMIN)
    return token


@contextmanager
def workers(settings: ApiSettings, queues: list[str], log_dir: Path) -> Iterator[None]:
    env = os.environ | {
        "DATABASE_URL": settings.database_url,
        "BROKER_URL": settings.broker_url,
        "QUEUE_PREFIX": settings.queue_prefix,
    }
    processes = []
    for n, queue in enumerate(queues):
        command = [
            str(Path(sys.executable).parent / "dispatch"),
            "worker",
            f"--queues={queue}",
            f"--name=b{n}-{settings.queue_prefix}@bench",
        ]
        with (log_dir / f"worker-{n}.log").open("wb") as out:
            processes.append(
                subprocess.Popen(
                    command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
                )
            )
    try:
        yield
    finally:
        for process in processes:
            os.killpg(process.pid, 9)
            process.wait()


def wait_job(client: TestClient, headers: dict[str, str], job_id: int) -> dict[str, Any]:
    while True:
        job: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(POLL_S)


def replan_once(client: TestClient, headers: dict[str, str]) -> float:
    body = {
        "scope": "SH",
        "date": DAY.isoformat(),
        "seconds": 1,
        "tickets": [URGENT],
        "as_of": "2026-11-23T13:05:00+08:00",
    }
    started = time.perf_counter()
    accepted = client.post("/api/v1/replans", json=body, headers=headers)
    accepted.raise_for_status()
    job = wait_job(client, headers, accepted.json()["job"]["id"])
    wall = time.perf_counter() - started
    assert job["status"] == "succeeded", job
    ticket = accepted.json()["tickets"][0]["id"]
    client.post(
        f"/api/v1/tickets/{ticket}/status", json={"status": "cancelled"}, headers=headers
    ).raise_for_status()
    return wall


class Busy:
    """Keeps one 5 s daily plan running per scope of BUSY_SCOPES until stopped."""

    def __init__(self, client: TestClient, headers: dict[str, str]) -> None:
        self._client, self._headers = client, headers
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._loop, args=(s,)) for s in BUSY_SCOPES]

    def __enter__(self) -> Busy:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _loop(self, scope: str) -> None:
        while not self._stop.is_set():
            body = {"scope": scope, "date": DAY.isoformat(), "seconds": 5}
            accepted = self._client.post("/api/v1/plans", json=body, headers=self._headers)
            if accepted.status_code == 202:
                wait_job(self._client, self._headers, accepted.json()["id"])


def latency(client: TestClient, headers: dict[str, str], repeat: int, busy: bool) -> dict[str, Any]:
    """One unmeasured re-plan first (workers past their start-up), then ``repeat``."""
    replan_once(client, headers)
    if busy:
        with Busy(client, headers):
            time.sleep(2.0)
            walls = [replan_once(client, headers) for _ in range(repeat)]
    else:
        walls = [replan_once(client, headers) for _ in range(repeat)]
    ranked = sorted(walls)
    p95 = ranked[max(0, math.ceil(0.95 * len(ranked)) - 1)]
    return {
        "p50_s": round(statistics.median(walls), 2),
        "p95_s": round(p95, 2),
        "max_s": round(ranked[-1], 2),
        "n": len(walls),
        "load": os.getloadavg()[0],
    }


def throughput(
    client: TestClient, headers: dict[str, str], plans: int, seconds: int
) -> dict[str, Any]:
    started = time.perf_counter()
    ids = []
    for n in range(plans):
        body = {"scope": "ALL", "date": (DAY + timedelta(days=n)).isoformat(), "seconds": seconds}
        accepted = client.post("/api/v1/plans", json=body, headers=headers)
        accepted.raise_for_status()
        ids.append(accepted.json()["id"])
    jobs = [wait_job(client, headers, i) for i in ids]
    wall = time.perf_counter() - started
    return {
        "plans": plans,
        "succeeded": sum(j["status"] == "succeeded" for j in jobs),
        "wall_s": round(wall, 1),
        "per_minute": round(plans * 60 / wall, 2),
        "load": os.getloadavg()[0],
    }


def with_app(
    settings: ApiSettings, token: str, run: Callable[[TestClient, dict[str, str]], Any]
) -> Any:
    with TestClient(create_app(settings)) as client:
        return run(client, {"Authorization": f"Bearer {token}"})


def wait_consumers(client: TestClient, count: int) -> None:
    for _ in range(600):
        seen = client.app.state.runner.status().get("queues", {})  # type: ignore[attr-defined]
        if sum(q["workers"] for q in seen.values()) >= count:
            return
        time.sleep(0.1)
    raise RuntimeError("workers did not come up")


def measure_embedded(base: ApiSettings, token: str, repeat: int, results: dict[str, Any]) -> None:
    embedded = base.model_copy(update={"solve_workers": 2, "emergency_workers": 1})
    for busy in (False, True):
        results[f"embedded_{'busy' if busy else 'idle'}"] = with_app(
            embedded, token, lambda c, h, b=busy: latency(c, h, repeat, b)
        )
        print(results, flush=True)


def measure_celery(
    celery: ApiSettings, token: str, repeat: int, log_dir: Path, results: dict[str, Any]
) -> None:
    with workers(celery, ["plans,emergency", "plans,emergency", "emergency"], log_dir):
        for busy in (False, True):

            def run(c: TestClient, h: dict[str, str], b: bool = busy) -> Any:
                wait_consumers(c, 5)
                return latency(c, h, repeat, b)

            results[f"celery_{'busy' if busy else 'idle'}"] = with_app(celery, token, run)
            print(results, flush=True)


def measure_throughput(
    celery: ApiSettings,
    token: str,
    args: argparse.Namespace,
    log_dir: Path,
    results: dict[str, Any],
) -> None:
    for count in (1, 2):
        with workers(celery, ["plans"] * count, log_dir):

            def run_t(c: TestClient, h: dict[str, str], n: int = count) -> Any:
                wait_consumers(c, n)
                return throughput(c, h, args.plans, args.plan_seconds)

            results[f"throughput_{count}_workers"] = with_app(celery, token, run_t)
            print(results, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--broker", default="amqp://guest:guest@127.0.0.1:5672//")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--plans", type=int, default=6)
    parser.add_argument("--plan-seconds", type=int, default=10)
    parser.add_argument(
        "--phases", default="embedded,celery,throughput", help="which measurements to take"
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    log_dir = Path(f"/tmp/fsdispatch-bench-queue-{secrets.token_hex(3)}")
    log_dir.mkdir()
    results: dict[str, Any] = {"command": " ".join(sys.argv), "cores": os.cpu_count()}
    with throwaway_database(args.server, "fsdispatch_bench") as url:
        token = prepare(url, args.plans)
        base = ApiSettings(
            database_url=url,
            broker_url=args.broker,
            queue_prefix=f"fsdbench-{secrets.token_hex(3)}",
            solve_seconds_max=60,
        )
        phases = set(args.phases.split(","))
        if "embedded" in phases:
            measure_embedded(base, token, args.repeat, results)
        celery = base.model_copy(update={"job_backend": "celery"})
        if "celery" in phases:
            measure_celery(celery, token, args.repeat, log_dir, results)
        if "throughput" in phases:
            measure_throughput(celery, token, args, log_dir, results)
    text_out = json.dumps(results, indent=2)
    print(text_out)
    if args.out:
        args.out.write_text(text_out + "\n")


if __name__ == "__main__":
    main()
