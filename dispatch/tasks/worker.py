"""``dispatch worker``: a Celery worker running solve jobs, or parts of large days.

The solve task only calls ``run_job`` with a lease: everything that makes a job run once
and end cleanly lives on the job row, not in Celery. A large day's parts go to the parts
workers (``dispatch.tasks.parts``); a worker consumes either the parts queue or the job
queues, never both, so a job waiting for its parts never holds a process they need.
"""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from celery import Celery
from celery.signals import setup_logging

from dispatch.errors import InvalidInputError
from dispatch.services.jobs import run_job
from dispatch.services.logs import configure_json_logging
from dispatch.settings import Settings
from dispatch.tasks.app import (
    EMERGENCY,
    PARTS,
    PLANS,
    SOLVE_PART_TASK,
    SOLVE_TASK,
    make_celery,
    queue_name,
)
from dispatch.tasks.parts import QueueParts, solve_part_payload
from dispatch.tasks.payloads import Payload
from solver import SolveParams

QUEUES = (PLANS, EMERGENCY, PARTS)
JOB_QUEUES = (PLANS, EMERGENCY)


def worker_app(settings: Settings) -> Celery:
    """The Celery app with the solve and part tasks registered (what a worker runs)."""
    app = make_celery(settings)
    parts = QueueParts(app, settings, from_jobs=settings.parts_from_jobs)

    def with_parts(params: SolveParams) -> SolveParams:
        """A large day's parts go to the parts workers (from ``parts_from_jobs`` jobs; a
        threshold below the solver's own also solves smaller days in parts)."""
        threshold = settings.parts_from_jobs
        if threshold is not None and threshold < params.search.decompose_size:
            params = params.tuned(decompose_size=threshold)
        return replace(params, parts=parts)

    @app.task(name=SOLVE_TASK)  # type: ignore[untyped-decorator]
    def solve(job_id: int) -> None:
        run_job(
            settings.database_url,
            job_id,
            lease_s=settings.job_lease_seconds,
            on_lost=_stop_this_solve,
            adapt=with_parts,
        )

    @app.task(name=SOLVE_PART_TASK, ignore_result=False)  # type: ignore[untyped-decorator]
    def solve_part(payload: Payload) -> Payload:
        return solve_part_payload(payload)

    return app


def _stop_this_solve() -> None:
    """End this pool process: its job was cancelled or taken over, and OR-Tools' search
    cannot be interrupted from Python. Celery replaces the process; the message, if
    requeued, finds the job no longer queued and is dropped."""
    os.kill(os.getpid(), signal.SIGKILL)


@setup_logging.connect  # type: ignore[untyped-decorator]
def _keep_our_logging(**_: Any) -> None:
    """Celery leaves logging alone when this signal has a receiver: JSON lines it is."""


def start_worker(
    settings: Settings, *, queues: Sequence[str], concurrency: int, name: str | None = None
) -> None:
    """Run a worker in this process until it is stopped (SIGTERM: warm shutdown, the
    running solves finish first)."""
    unknown = sorted(set(queues) - set(QUEUES))
    if unknown:
        raise InvalidInputError(
            f"unknown queue {', '.join(unknown)}; choose from {', '.join(QUEUES)}"
        )
    if PARTS in queues and len(set(queues)) > 1:
        raise InvalidInputError(
            "a parts worker consumes only the parts queue: a job waiting for its parts "
            "must never hold the process that would solve them (run two workers)"
        )
    configure_json_logging()
    node = name or f"{'-'.join(queues)}-{settings.queue_prefix}@{socket.gethostname()}"
    worker_app(settings).worker_main(
        [
            "worker",
            "--loglevel=INFO",
            f"--queues={','.join(queue_name(settings, q) for q in queues)}",
            f"--concurrency={concurrency}",
            f"--hostname={node}",
            "--without-gossip",
            "--without-mingle",
        ]
    )
