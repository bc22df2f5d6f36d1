"""API benchmark: does the server hold under many concurrent clients, and recover after?

Usage (from the repository root)::

    .venv/bin/python bench/api_hold.py --database-url \
        postgresql+psycopg://postgres@127.0.0.1:5432/bench_hold --clients 200 --seconds 60 \
        --out bench/results/api-hold-YYYYmmdd-postgres.json      # a scratch database!

It prepares a published day like ``bench/api_load.py`` (migrate, seed ``normal``, plan
and publish the country), starts ``dispatch serve`` on a free loopback port with the
abuse limits lifted (all clients share one address and two tokens: this measures
capacity, not the rate-limit policy), then:

1. baseline: one client, sequential requests for ``--baseline-seconds``;
2. load: ``--clients`` closed-loop clients for ``--seconds``, each alternating the
   busiest engineer's route and ``GET /api/v1/tickets?limit=20`` (the two endpoints that
   stopped the server before the fix), while a prober process of its own asks ``/healthz``
   every 100 ms on a new connection each time (as a liveness probe does);
3. recovery: one client again, until a window of ten requests has a median within twice
   the baseline's (at most ``--recovery-seconds``).

Reported: statuses (no 5xx, no transport error expected), p50/p99 per phase, /healthz
p50/p99/max and how many probes took over 100 ms, the seconds to recover, and on
PostgreSQL the sessions left "idle in transaction", and the server process's CPU time
per request under load. The load average is recorded: the clients run on the same
machine as the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Coroutine
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from api_load import prepare, run_header, serving  # bench/ is on sys.path when run as a script
from sqlalchemy import text

from dispatch.store import make_engine

UNLIMITED = {
    "RATE_LIMIT_PER_ADDRESS": "1000000",
    "RATE_LIMIT_PER_TOKEN": "1000000",
    "MAX_CONNECTIONS": "2000",
}
PROBE_EVERY_S = 0.1
HEALTHZ_BUDGET_S = 0.1
RECOVERY_WINDOW = 10
CLIENT_KEEP_ALIVE_S = 2.0
"""Clients drop idle connections before the server's keep-alive timeout (5 s) does: with
equal timeouts (httpx's default is 5 s too) a request sent on a connection the server is
just closing fails in transit, a client-side race, not a server failure."""


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50, p99 and max in milliseconds."""
    if not samples:
        return {"p50_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
    cuts = (
        statistics.quantiles(samples, n=100, method="inclusive")
        if len(samples) > 1
        else [samples[0]] * 99
    )
    return {
        "p50_ms": round(statistics.median(samples) * 1000, 1),
        "p99_ms": round(cuts[98] * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1),
    }


class Targets:
    """The two endpoints under load, alternated."""

    def __init__(self, route: str, engineer_token: str, emergency_token: str) -> None:
        self._requests = [
            (route, {"Authorization": f"Bearer {engineer_token}"}),
            ("/api/v1/tickets?limit=20", {"Authorization": f"Bearer {emergency_token}"}),
        ]

    async def one(self, client: httpx.AsyncClient, n: int) -> tuple[str, float]:
        url, headers = self._requests[n % 2]
        started = time.perf_counter()
        try:
            status = str((await client.get(url, headers=headers)).status_code)
        except httpx.HTTPError as error:
            status = type(error).__name__
        return status, time.perf_counter() - started


async def sequential(
    base: str, targets: Targets, seconds: float, stop_when_within: float | None = None
) -> dict[str, Any]:
    """One client; with ``stop_when_within``, stops once a window's median is within it."""
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    started = time.perf_counter()
    recovered_after: float | None = None
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        n = 0
        while time.perf_counter() - started < seconds:
            status, latency = await targets.one(client, n)
            statuses[status] += 1
            latencies.append(latency)
            n += 1
            window = latencies[-RECOVERY_WINDOW:]
            if (
                stop_when_within is not None
                and len(window) == RECOVERY_WINDOW
                and statistics.median(window) <= stop_when_within
            ):
                recovered_after = round(time.perf_counter() - started, 2)
                break
    return {
        "statuses": dict(statuses),
        **percentiles(latencies),
        "recovered_after_s": recovered_after,
    }


async def load(base: str, targets: Targets, clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` closed-loop clients for ``seconds``, with /healthz probed throughout."""
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    ends = time.perf_counter() + seconds
    limits = httpx.Limits(
        max_connections=clients,
        max_keepalive_connections=clients,
        keepalive_expiry=CLIENT_KEEP_ALIVE_S,
    )

    async def client_loop(client: httpx.AsyncClient, first: int) -> None:
        n = first
        while time.perf_counter() < ends:
            status, latency = await targets.one(client, n)
            statuses[status] += 1
            latencies.append(latency)
            n += 1

    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        prober = asyncio.create_task(probe_healthz(base, ends))
        await asyncio.gather(*(client_loop(client, i) for i in range(clients)))
        healthz = await prober
    return {
        "requests": len(latencies),
        "per_second": round(len(latencies) / seconds, 1),
        "statuses": dict(statuses),
        **percentiles(latencies),
        "healthz": healthz,
    }


PROBER = """
import json, socket, sys, time
from urllib.parse import urlsplit
base, seconds, every = urlsplit(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
request = b"GET /healthz HTTP/1.1\\r\\nHost: probe\\r\\nConnection: close\\r\\n\\r\\n"
begun = time.perf_counter()
ends, latencies, failures, at = begun + seconds, [], [], []
while time.perf_counter() < ends:
    started = time.perf_counter()
    at.append(started - begun)
    try:
        with socket.create_connection((base.hostname, base.port), timeout=30) as conn:
            conn.sendall(request)
            answer = b""
            while chunk := conn.recv(4096):
                answer += chunk
        status = answer.split(b" ", 2)[1].decode() if answer else "empty"
        if status != "200":
            failures.append(status)
    except OSError as error:
        failures.append(type(error).__name__)
    latency = time.perf_counter() - started
    latencies.append(latency)
    time.sleep(max(0.0, every - latency))
print(json.dumps({"latencies": latencies, "failures": failures, "at": at}))
"""


async def probe_healthz(base: str, ends: float) -> dict[str, Any]:
    """/healthz every 100 ms on a new connection each time, from a process of its own with
    a plain socket, as a liveness probe (a load balancer, the kubelet) does: probed from
    this process, the figure would include this process's own event loop, busy with the
    200 clients, and an HTTP client's set-up per probe."""
    seconds = max(0.0, ends - time.perf_counter())
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        PROBER,
        base,
        str(seconds),
        str(PROBE_EVERY_S),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await child.communicate()
    found = json.loads(out)
    latencies: list[float] = found["latencies"]
    over = sum(1 for latency in latencies if latency > HEALTHZ_BUDGET_S)
    return {
        "probes": len(latencies),
        "failures": dict(Counter(found["failures"])),
        "over_100ms": over,
        **percentiles(latencies),
        "slowest": [
            {"at_s": round(at, 1), "ms": round(latency * 1000, 1)}
            for latency, at in sorted(zip(latencies, found["at"], strict=True), reverse=True)[:5]
        ],
    }


LOOP_METRICS = ("event_loop_lag_seconds", "event_loop_stall_seconds", "gc_pause_seconds")


def loop_figures(base: str) -> dict[str, float]:
    """The server's event-loop lag and stall lines of ``/metrics`` (``api/loop_watch.py``),
    cumulative since it started: the baseline and the load, mostly the load."""
    text_ = httpx.get(f"{base}/metrics", timeout=30).text
    return {
        name: float(value)
        for name, value in (line.rsplit(" ", 1) for line in text_.splitlines())
        if name.startswith(LOOP_METRICS) and not name.endswith("_created")
    }


def idle_in_transaction(url: str) -> int | None:
    """PostgreSQL sessions of the database left idle inside a transaction (None: SQLite)."""
    engine = make_engine(url)
    try:
        if engine.dialect.name != "postgresql":
            return None
        query = text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND state = 'idle in transaction' AND pid <> pg_backend_pid()"
        )
        with engine.connect() as connection:
            return int(connection.scalar(query) or 0)
    finally:
        engine.dispose()


def run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    engineer, engineer_token, emergency_token = prepare(url, args.date, args.plan_seconds)
    route = f"/api/v1/engineers/{engineer}/route?date={args.date.isoformat()}"
    targets = Targets(route, engineer_token, emergency_token)
    results: dict[str, Any] = {}
    with serving(url, UNLIMITED | dict(args.server_env)) as (base, process):
        results["uptime_before"] = _uptime()
        baseline = _with_cpu(process.pid, sequential(base, targets, args.baseline_seconds))
        results["baseline"] = baseline
        results["load"] = _with_cpu(process.pid, load(base, targets, args.clients, args.seconds))
        results["uptime_at_end_of_load"] = _uptime()
        results["event_loop"] = loop_figures(base)
        results["idle_in_transaction_after_load"] = idle_in_transaction(url)
        within = 2 * baseline["p50_ms"] / 1000
        results["recovery"] = asyncio.run(
            sequential(base, targets, args.recovery_seconds, stop_when_within=within)
        )
    return results


def _with_cpu(pid: int, phase: Coroutine[Any, Any, dict[str, Any]]) -> dict[str, Any]:
    """Run ``phase`` and add the server's CPU time during it, in all and per request."""
    before = cpu_seconds(pid)
    found = asyncio.run(phase)
    cpu = cpu_seconds(pid) - before
    requests = found.get("requests") or sum(found["statuses"].values())
    return found | {
        "server_cpu_s": round(cpu, 2),
        "server_cpu_ms_per_request": round(1000 * cpu / max(1, requests), 2),
    }


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of the process (all its threads), from ``/proc``.

    CPU per request is the figure that load beside the benchmark disturbs least: the
    latencies depend on the CPU the machine has left, the CPU a request costs much less.
    """
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--database-url", help="a scratch database (default: a temporary SQLite)")
    p.add_argument("--date", type=date.fromisoformat, default=date(2026, 11, 23))
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--seconds", type=float, default=60.0, help="duration of the load")
    p.add_argument("--baseline-seconds", type=float, default=5.0)
    p.add_argument("--recovery-seconds", type=float, default=30.0)
    p.add_argument("--plan-seconds", type=float, default=5.0, help="the initial solve")
    p.add_argument(
        "--server-env",
        type=lambda pair: tuple(pair.split("=", 1)),
        action="append",
        default=[],
        help="KEY=VALUE for the server, e.g. DB_CONNECTIONS=4 (repeatable)",
    )
    p.add_argument("--out", type=Path, help="also write the results here as JSON")
    return p.parse_args()


def main() -> int:
    args = parse()
    results = run_header(args)
    with tempfile.TemporaryDirectory() as scratch:
        results |= run(args, args.database_url or f"sqlite:///{scratch}/bench.sqlite3")
    print(json.dumps(results, indent=2))
    if args.out is not None:
        args.out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
