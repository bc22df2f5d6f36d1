"""Prometheus metrics: request latency, solve durations, queue depth.

Each app has its own registry, so several apps in one process (tests) do not clash.
"""

from __future__ import annotations

import time

from fastapi import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client import generate_latest as _generate
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class Metrics:
    def __init__(self, api_prefix: str) -> None:
        self._prefix = api_prefix
        self.registry = CollectorRegistry()
        self.request_seconds = Histogram(
            "http_request_duration_seconds",
            "Time to answer an HTTP request.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.solve_seconds = Histogram(
            "solve_job_duration_seconds",
            "Wall time of a solve job, by kind (plan, replan) and final status.",
            ["kind", "outcome"],
            buckets=(1, 2, 5, 10, 20, 30, 60, 120, 300),
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "solve_jobs_live", "Solve jobs queued or running.", ["status"], registry=self.registry
        )
        self.lease_expiries = Counter(
            "solve_job_lease_expiries",
            "Jobs whose worker stopped renewing its lease, by what was done (retried, failed).",
            ["action"],
            registry=self.registry,
        )
        self.queue_messages = Gauge(
            "job_queue_messages",
            "Messages waiting in a broker queue.",
            ["queue"],
            registry=self.registry,
        )
        self.queue_workers = Gauge(
            "job_queue_workers",
            "Workers consuming a broker queue.",
            ["queue"],
            registry=self.registry,
        )
        self.database_up = Gauge(
            "database_up",
            "1 if the database answered the last metrics scrape, else 0.",
            registry=self.registry,
        )
        self.loop_lag = Histogram(
            "event_loop_lag_seconds",
            "How much later than asked the serving event loop ran a short timer.",
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )
        self.loop_stall_seconds = Counter(
            "event_loop_stall_seconds",
            "Wall time of the loop's late ticks, by what its thread did: running, runnable"
            " (waiting for a core) or blocked (waiting for the interpreter lock, or idle).",
            ["cause"],
            registry=self.registry,
        )
        self.gc_pause = Histogram(
            "gc_pause_seconds",
            "Cyclic garbage collections in this process, by generation: every thread,"
            " the event loop's too, waits for one to end.",
            ["generation"],
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1),
            registry=self.registry,
        )

    def observe_solve(self, kind: str, seconds: float, status: str) -> None:
        """The runners' ``on_finished`` hook."""
        self.solve_seconds.labels(kind, status).observe(seconds)

    def observe_reaped(self, retried: int, failed: int) -> None:
        """The queue runner's lease reaper's hook."""
        self.lease_expiries.labels("retried").inc(retried)
        self.lease_expiries.labels("failed").inc(failed)

    def observe_runner(self, status: dict[str, object]) -> None:
        """Queue depth and workers per queue, from the runner's ``status()``."""
        queues = status.get("queues")
        if not isinstance(queues, dict):
            return
        for name, seen in queues.items():
            self.queue_messages.labels(name).set(seen["waiting"])
            self.queue_workers.labels(name).set(seen["workers"])

    def render(self) -> Response:
        return Response(_generate(self.registry), media_type=CONTENT_TYPE_LATEST)

    def observe_request(self, scope: Scope, status: int, seconds: float) -> None:
        """One answered request, labelled by its route template (not the raw path)."""
        self.request_seconds.labels(scope["method"], self._template(scope), str(status)).observe(
            seconds
        )

    def _template(self, scope: Scope) -> str:
        """The matched route's path template; an included router's path lacks its prefix."""
        path = getattr(scope.get("route"), "path", None)
        if path is None:
            return "unmatched"
        prefixed = str(scope.get("path", "")).startswith(self._prefix + "/")
        return self._prefix + path if prefixed and not path.startswith(self._prefix) else str(path)


class RequestTiming:
    """ASGI middleware timing every HTTP request into ``Metrics``.

    A plain ASGI layer, not ``@app.middleware("http")``: Starlette's ``BaseHTTPMiddleware``
    runs the rest of the app in a task of its own with a stream between the two, on the
    event loop, for every request (``docs/benchmarks/api.md``, "The API under 200 concurrent
    clients"). A request whose app raises is counted as a 500, the status the server
    answers it with.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def timed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            self.metrics.observe_request(scope, status, time.perf_counter() - started)
