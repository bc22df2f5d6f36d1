"""``CeleryRunner``: the API's ``JobRunner`` when solves run on ``dispatch worker``s.

``submit`` sends the job's id to its queue (emergencies to their own); ``cancel`` revokes
the task with terminate, which reaches the worker wherever it runs; a thread retries or
fails jobs whose worker stopped renewing its lease (every API process runs one: the
conditional updates let only one of them act on a job).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from kombu import Connection
from sqlalchemy.orm import Session, sessionmaker

from dispatch.services.jobs import RunnerUnavailableError
from dispatch.services.leases import Reaped, reap_expired_leases
from dispatch.settings import Settings
from dispatch.store._common import utc_now
from dispatch.store.database import session_scope
from dispatch.store.jobs import JobRepository
from dispatch.tasks.app import (
    EMERGENCY,
    PARTS,
    PLANS,
    SOLVE_TASK,
    make_celery,
    queue_for,
    queue_name,
)
from dispatch.tasks.app import task_id as task_id_of

log = logging.getLogger(__name__)
BROKER_CHECK_TIMEOUT_S = 1.0


class CeleryRunner:
    def __init__(
        self,
        settings: Settings,
        factory: sessionmaker[Session],
        *,
        on_reaped: Callable[[Reaped], None] | None = None,
        on_finished: Callable[[str, float, str], None] | None = None,
    ) -> None:
        self._settings = settings
        self._factory = factory
        self._app = make_celery(settings)
        self._on_reaped = on_reaped
        self._on_finished = on_finished
        self._seen_until = utc_now()
        self._closing = threading.Event()
        self._reaper = threading.Thread(target=self._reap_forever, name="lease-reaper", daemon=True)
        self._reaper.start()

    def check(self) -> None:
        """``RunnerUnavailableError`` unless the broker accepts a connection now."""
        try:
            with self._connection() as connection:
                connection.ensure_connection(max_retries=0)
        except Exception as error:
            raise RunnerUnavailableError(f"the job broker is unreachable: {error}") from error

    def submit(self, job_id: int) -> None:
        """Send the job to its queue; if the broker cannot take it, fail the job."""
        with session_scope(self._factory) as session:
            job = JobRepository(session).get(job_id)
        try:
            self._app.send_task(
                SOLVE_TASK,
                args=[job_id],
                queue=queue_for(self._settings, job.kind),
                task_id=task_id_of(self._settings, job_id),
                retry=True,
                retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
            )
        except Exception as error:
            log.exception("job %s could not be sent to the broker", job_id)
            with session_scope(self._factory) as session:
                JobRepository(session).fail(
                    job_id, f"the job broker was unreachable: {type(error).__name__}; submit again"
                )

    def cancel(self, job_id: int) -> None:
        """Stop the job's solve wherever it runs (its row is already ``cancelled``).

        SIGKILL, not SIGTERM: a pool process deep in OR-Tools' C++ search runs no Python
        signal handler until the search returns. The message is acknowledged or, if
        requeued, dropped as revoked; either way the row says ``cancelled`` and a late
        result could not be stored.
        """
        self._app.control.revoke(
            task_id_of(self._settings, job_id), terminate=True, signal="SIGKILL"
        )

    def status(self) -> dict[str, Any]:
        """Broker reachability, workers consuming each queue, messages waiting in each.

        The parts queue exists once a parts worker has started; until then it shows as
        empty with no workers.
        """
        queues: dict[str, dict[str, int]] = {}
        try:
            with self._connection() as connection:
                connection.ensure_connection(max_retries=0)
                for name in (EMERGENCY, PLANS, PARTS):
                    queues[name] = self._depth(connection, name, required=name != PARTS)
        except Exception as error:
            return {"backend": "celery", "broker": f"unreachable: {type(error).__name__}"}
        return {"backend": "celery", "broker": "ok", "queues": queues}

    def _depth(self, connection: Connection, name: str, *, required: bool) -> dict[str, int]:
        try:
            with connection.channel() as channel:
                _, waiting, consumers = channel.queue_declare(
                    queue=queue_name(self._settings, name), passive=True
                )
        except connection.channel_errors:
            if required:
                raise
            return {"waiting": 0, "workers": 0}
        return {"waiting": waiting, "workers": consumers}

    def reap(self) -> Reaped:
        """One pass over expired leases (the reaper thread's, or a test's)."""
        return reap_expired_leases(
            self._factory, max_attempts=self._settings.job_max_attempts, resubmit=self.submit
        )

    def shutdown(self, timeout: float = 5.0) -> None:
        self._closing.set()
        self._reaper.join(timeout)

    def _connection(self) -> Connection:
        """A connection for a quick look: ``ensure_connection(max_retries=0)`` fails at
        once when the broker refuses (kombu's ``connect`` retries after 2 s)."""
        return Connection(
            self._settings.broker_url,
            connect_timeout=BROKER_CHECK_TIMEOUT_S,
            transport_options={"max_retries": 0},
        )

    def _reap_forever(self) -> None:
        while not self._closing.wait(self._settings.job_lease_seconds / 2):
            try:
                reaped = self.reap()
                self._report_finished()
            except Exception:
                log.exception("lease reaper pass failed; trying again")
                continue
            if self._on_reaped is not None:
                self._on_reaped(reaped)

    def _report_finished(self) -> None:
        """Hand the jobs that ended since the last pass to ``on_finished``: their workers
        run elsewhere, so their durations are read from the rows."""
        if self._on_finished is None:
            return
        with session_scope(self._factory) as session:
            ended = JobRepository(session).finished_since(self._seen_until)
        for job in ended:
            if job.started_at is not None and job.finished_at is not None:
                seconds = (job.finished_at - job.started_at).total_seconds()
                self._on_finished(job.kind, seconds, job.status.value)
            if job.finished_at is not None:
                self._seen_until = max(self._seen_until, job.finished_at)
