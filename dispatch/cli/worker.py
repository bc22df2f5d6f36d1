"""``dispatch worker``: run solve jobs from the Celery queues (``JOB_BACKEND=celery``)."""

from __future__ import annotations

from typing import Annotated

import typer

from dispatch.cli.errors import friendly_errors
from dispatch.settings import get_settings
from dispatch.tasks.worker import JOB_QUEUES, QUEUES, start_worker


@friendly_errors
def worker(
    queues: Annotated[
        str,
        typer.Option(
            help=f"Comma-separated queues to consume: {', '.join(QUEUES)} "
            "(parts: the parts of large days, alone in its worker)."
        ),
    ] = ",".join(JOB_QUEUES),
    concurrency: Annotated[
        int, typer.Option(min=1, max=64, help="Solves at once (one process each).")
    ] = 1,
    name: Annotated[
        str | None, typer.Option(help="Worker node name (default: queues-prefix@host).")
    ] = None,
) -> None:
    """Run solve jobs from BROKER_URL's queues on DATABASE_URL until stopped.

    SIGTERM (or Ctrl-C) is a warm shutdown: the running solves finish first.
    """
    chosen = [q.strip() for q in queues.split(",") if q.strip()]
    start_worker(get_settings(), queues=chosen, concurrency=concurrency, name=name)
