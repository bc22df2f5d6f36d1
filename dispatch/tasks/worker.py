"""``dispatch worker``: a Celery worker running solve jobs from the queues.

The task only calls ``run_job`` with a lease: everything that makes a job run once and
end cleanly lives on the job row, not in Celery.
"""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Sequence
from typing import Any

from celery import Celery
from celery.signals import setup_logging

from dispatch.errors import InvalidInputError
from dispatch.services.jobs import run_job
from dispatch.services.logs import configure_json_logging
from dispatch.settings import Settings
from dispatch.tasks.app import EMERGENCY, PLANS, SOLVE_TASK, make_celery, queue_name

QUEUES = (PLANS, EMERGENCY)


def worker_app(settings: Settings) -> Celery:
    """The Celery app with the solve task registered (what a worker runs)."""
    app = make_celery(settings)

    @app.task(name=SOLVE_TASK)  # type: ignore[untyped-decorator]
    def solve(job_id: int) -> None:
        run_job(
            settings.database_url,
            job_id,
            lease_s=settings.job_lease_seconds,
            on_lost=_stop_this_solve,
        )

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
