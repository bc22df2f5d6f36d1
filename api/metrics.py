"""Prometheus metrics: request latency, solve durations, queue depth.

Each app has its own registry, so several apps in one process (tests) do not clash.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client import generate_latest as _generate


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

    async def middleware(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Time every request, labelled by its route template (not the raw path)."""
        started = time.perf_counter()
        response = await call_next(request)
        self.request_seconds.labels(
            request.method, self._template(request), str(response.status_code)
        ).observe(time.perf_counter() - started)
        return response

    def _template(self, request: Request) -> str:
        """The matched route's path template; an included router's path lacks its prefix."""
        path = getattr(request.scope.get("route"), "path", None)
        if path is None:
            return "unmatched"
        prefixed = request.url.path.startswith(self._prefix + "/")
        return self._prefix + path if prefixed and not path.startswith(self._prefix) else str(path)
