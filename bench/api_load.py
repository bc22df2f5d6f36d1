"""API benchmark: route fetch latency at a fixed request rate, and emergency re-solve time.

Usage (from the repository root)::

    .venv/bin/python bench/api_load.py --rate 50 --seconds 20            # scratch SQLite
    .venv/bin/python bench/api_load.py --database-url \
        postgresql+psycopg://postgres@127.0.0.1:5432/bench --rate 50     # a scratch database!

It migrates the database, seeds the ``normal`` day, plans and publishes the whole country,
starts ``dispatch serve`` on a free loopback port, then:

1. fetches the busiest engineer's route at ``--rate`` requests per second for
   ``--seconds`` (open loop: requests are sent on schedule, whether or not earlier ones
   have answered, so a slow server shows up as latency, not as a lower rate) and reports
   p50, p99 and errors;
2. times an emergency re-plan (``POST /api/v1/replans``, one urgent call, until the job
   ends) for one region and for the whole country.

Measurements, not tests: nothing here runs in CI.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from dispatch.services.auth import create_user
from dispatch.services.planning import plan_day
from dispatch.services.publishing import publish_plan
from dispatch.services.seeding import seed
from dispatch.store import make_engine, session_factory, session_scope, upgrade
from dispatch.store.users import Role
from solver import SolveParams

URGENT = {
    "office": "SH",
    "customer": "Ruijin Hospital",
    "latitude": 31.2115,
    "longitude": 121.4656,
    "product_line": "video-surveillance",
    "fault": "all cameras down",
    "emergency": True,
}


def prepare(url: str, day: date, plan_seconds: float) -> tuple[str, str, str]:
    """Seed and publish a day; returns (busiest engineer, their token, an emergency token)."""
    upgrade(url)
    factory = session_factory(make_engine(url))
    with session_scope(factory) as session:
        seed(session, scenario="normal", day=day, seed=7)
    with session_scope(factory) as session:
        plan = plan_day(session, scope="ALL", day=day, params=SolveParams(plan_seconds))
        publish_plan(session, plan.id)
    stops: dict[str, int] = {}
    for visit in plan.visits:
        stops[visit.engineer_id] = stops.get(visit.engineer_id, 0) + 1
    engineer = max(stops, key=lambda e: stops[e])
    with session_scope(factory) as session:
        _, engineer_token = create_user(
            session, name="bench", role=Role.ENGINEER, engineer_id=engineer
        )
        _, emergency_token = create_user(session, name="bench", role=Role.EMERGENCY)
    return engineer, engineer_token, emergency_token


@contextmanager
def server(url: str) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [str(Path(sys.executable).parent / "dispatch"), "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=os.environ | {"DATABASE_URL": url})
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


async def _fetch(client: httpx.AsyncClient, url: str, at: float, out: list[float]) -> bool:
    await asyncio.sleep(max(0.0, at - time.perf_counter()))
    started = time.perf_counter()
    response = await client.get(url)
    out.append(time.perf_counter() - started)
    return response.status_code == 200


async def route_load(
    base: str, url: str, token: str, rate: float, seconds: float
) -> dict[str, Any]:
    """Open-loop GETs of ``url`` at ``rate`` per second; latency percentiles in ms."""
    latencies: list[float] = []
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=200)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits) as client:
        start = time.perf_counter() + 0.5
        count = int(rate * seconds)
        tasks = [_fetch(client, url, start + i / rate, latencies) for i in range(count)]
        results = await asyncio.gather(*tasks, return_exceptions=True)
    errors = sum(1 for ok in results if ok is not True)
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "requests": count,
        "errors": errors,
        "p50_ms": round(cuts[49] * 1000, 1),
        "p99_ms": round(cuts[98] * 1000, 1),
    }


def replan_time(base: str, token: str, scope: str, day: date, seconds: int) -> dict[str, Any]:
    """Seconds from POST /replans to the job's end, with the job's outcome."""
    urgent = URGENT | {"called_at": f"{day.isoformat()}T13:00:00+08:00"}
    body = {"scope": scope, "date": day.isoformat(), "seconds": seconds, "tickets": [urgent]}
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    accepted = httpx.post(f"{base}/api/v1/replans", json=body, headers=headers, timeout=30)
    accepted.raise_for_status()
    job_url = f"{base}/api/v1/jobs/{accepted.json()['job']['id']}"
    while True:
        job = httpx.get(job_url, headers=headers).json()
        if job["status"] not in ("queued", "running"):
            break
        time.sleep(0.1)
    return {
        "scope": scope,
        "status": job["status"],
        "seconds": round(time.perf_counter() - started, 2),
        "on_time": job["progress"].get("on_time"),
    }


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--database-url", help="a scratch database (default: a temporary SQLite)")
    p.add_argument("--date", type=date.fromisoformat, default=date(2026, 11, 23))
    p.add_argument("--rate", type=float, default=50.0, help="route requests per second")
    p.add_argument("--seconds", type=float, default=20.0, help="duration of the route load")
    p.add_argument("--plan-seconds", type=float, default=10.0, help="the initial solve")
    p.add_argument("--replan-seconds", type=int, default=5, help="each re-plan's time limit")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{scratch}/bench.sqlite3"
        engineer, engineer_token, emergency_token = prepare(url, args.date, args.plan_seconds)
        route = f"/api/v1/engineers/{engineer}/route?date={args.date.isoformat()}"
        with server(url) as base:
            load = asyncio.run(route_load(base, route, engineer_token, args.rate, args.seconds))
            print(f"route fetch at {args.rate:g}/s for {args.seconds:g} s: {load}")
            for scope in ("region:East", "ALL"):
                timing = replan_time(base, emergency_token, scope, args.date, args.replan_seconds)
                print(f"emergency re-plan: {timing}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
