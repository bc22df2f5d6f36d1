"""API benchmark: route fetch latency at a fixed request rate, and emergency re-solve time.

Usage (from the repository root)::

    .venv/bin/python bench/api_load.py --rate 50 --seconds 20            # scratch SQLite
    .venv/bin/python bench/api_load.py --database-url \
        postgresql+psycopg://postgres@127.0.0.1:5432/bench --rate 50     # a scratch database!
    ... --out bench/results/api-load-20261123-warm-sqlite.json             # also as JSON

It migrates the database, seeds the ``normal`` day, plans and publishes the whole country,
starts ``dispatch serve`` on a free loopback port, then:

1. fetches the busiest engineer's route at ``--rate`` requests per second for
   ``--seconds`` (open loop: requests are sent on schedule, whether or not earlier ones
   have answered, so a slow server shows up as latency, not as a lower rate) and reports
   p50, p99 and errors;
2. times ``--repeat`` emergency re-plans (``POST /api/v1/replans``, one urgent call, until
   the job ends) for one region and for the whole country, with the server's default
   re-plan limit unless ``--replan-seconds`` is given. Each reports the wall time, the
   job's own times (handover to claim, worker run, solve), and whether the urgent call is
   routed on time; the urgent call is cancelled afterwards so the next re-plan sees the
   same day.

The load average is recorded with the results: on a shared machine, timings are only as
good as the CPU the server got. Measurements, not tests: nothing here runs in CI.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
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
POLL_S = 0.05
"""How often a re-plan's job is polled; its end is seen this late at most."""
SETTLE_S = 2.0
"""Pause after the server answers, before the route load, and between re-plans: an
emergency re-plan is measured as it comes in isolation, with the runner's warm standby
ready (spawning one takes about half a second of CPU after each handover)."""

Replan = dict[str, Any]


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
def server(url: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """``dispatch serve`` on a free loopback port; yields its base URL."""
    with serving(url, env) as (base, _):
        yield base


@contextmanager
def serving(
    url: str, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``server``, yielding the server's process too (to read its CPU time)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [str(Path(sys.executable).parent / "dispatch"), "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=os.environ | {"DATABASE_URL": url} | (env or {}))
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        time.sleep(SETTLE_S)
        yield base, process
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


def replan_time(base: str, token: str, scope: str, day: date, seconds: int | None) -> Replan:
    """One emergency re-plan, from POST /replans to the job's end, with its outcome.

    ``seconds=None`` leaves the solve limit to the server's re-plan default. The urgent
    call is cancelled afterwards, so every re-plan of a run sees the same day.
    """
    urgent = URGENT | {"called_at": f"{day.isoformat()}T13:00:00+08:00"}
    body: dict[str, Any] = {"scope": scope, "date": day.isoformat(), "tickets": [urgent]}
    if seconds is not None:
        body["seconds"] = seconds
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    accepted = httpx.post(f"{base}/api/v1/replans", json=body, headers=headers, timeout=30)
    accepted.raise_for_status()
    job_url = f"{base}/api/v1/jobs/{accepted.json()['job']['id']}"
    while True:
        job = httpx.get(job_url, headers=headers).json()
        if job["status"] not in ("queued", "running"):
            break
        time.sleep(POLL_S)
    wall = time.perf_counter() - started
    ticket_id = accepted.json()["tickets"][0]["id"]
    late = _urgent_minutes_late(base, headers, job, ticket_id)
    httpx.post(
        f"{base}/api/v1/tickets/{ticket_id}/status",
        json={"status": "cancelled"},
        headers=headers,
    ).raise_for_status()
    return {
        "scope": scope,
        "status": job["status"],
        "seconds": round(wall, 2),
        "solve_limit_s": job["seconds"],
        "solve_s": job["progress"].get("elapsed_s"),
        "to_start_s": _between(job["created_at"], job["started_at"]),
        "worker_s": _between(job["started_at"], job["finished_at"]),
        "on_time": job["progress"].get("on_time"),
        "urgent_minutes_late": late,
        "urgent_on_time": late == 0,
    }


def _urgent_minutes_late(
    base: str, headers: dict[str, str], job: dict[str, Any], ticket_id: int
) -> int | None:
    """Minutes late of the urgent call in the re-plan (None: not routed)."""
    if job["plan_id"] is None:
        return None
    plan = httpx.get(f"{base}/api/v1/plans/{job['plan_id']}", headers=headers).json()
    visits = [v for v in plan["visits"] if v["ticket_id"] == ticket_id]
    return int(visits[0]["minutes_late"]) if visits else None


def _between(start: str | None, end: str | None) -> float | None:
    """Seconds between two ISO timestamps of the job (the server's clock)."""
    if start is None or end is None:
        return None
    elapsed = datetime.fromisoformat(end) - datetime.fromisoformat(start)
    return round(elapsed.total_seconds(), 2)


def summary(replans: list[Replan]) -> dict[str, dict[str, Any]]:
    """Per scope: median and worst wall seconds, and whether the urgent call was always on time."""
    by_scope: dict[str, list[Replan]] = {}
    for run in replans:
        by_scope.setdefault(run["scope"], []).append(run)
    return {
        scope: {
            "runs": len(runs),
            "median_s": round(statistics.median(r["seconds"] for r in runs), 2),
            "max_s": max(r["seconds"] for r in runs),
            "urgent_always_on_time": all(r["urgent_on_time"] for r in runs),
        }
        for scope, runs in by_scope.items()
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
    p.add_argument(
        "--replan-seconds", type=int, help="each re-plan's time limit (default: the server's)"
    )
    p.add_argument("--repeat", type=int, default=3, help="re-plans of each scope")
    p.add_argument("--out", type=Path, help="also write the results here as JSON")
    return p.parse_args(argv)


def run_header(args: argparse.Namespace) -> dict[str, Any]:
    """What a results file says about the run: database, start, CPUs, arguments."""
    return {
        "database": (args.database_url or "sqlite").split(":", 1)[0],
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "args": {k: str(v) for k, v in vars(args).items() if k != "out"},
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    results = run_header(args)
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{scratch}/bench.sqlite3"
        engineer, engineer_token, emergency_token = prepare(url, args.date, args.plan_seconds)
        route = f"/api/v1/engineers/{engineer}/route?date={args.date.isoformat()}"
        with server(url) as base:
            results["loadavg_at_route_load"] = os.getloadavg()
            load = asyncio.run(route_load(base, route, engineer_token, args.rate, args.seconds))
            print(f"route fetch at {args.rate:g}/s for {args.seconds:g} s: {load}")
            results["route"] = load
            results["loadavg_at_replans"] = os.getloadavg()
            replans = []
            for _ in range(args.repeat):
                for scope in ("region:East", "ALL"):
                    timing = replan_time(
                        base, emergency_token, scope, args.date, args.replan_seconds
                    )
                    print(f"emergency re-plan: {timing}")
                    replans.append(timing)
                    time.sleep(SETTLE_S)
            results["loadavg_at_end"] = os.getloadavg()
    results["replans"] = replans
    results["summary"] = summary(replans)
    print(f"summary: {results['summary']}; load average {results['loadavg_at_end']}")
    if args.out is not None:
        args.out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
