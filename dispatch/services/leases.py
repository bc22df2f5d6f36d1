"""Job leases: a queue worker holds its running job by renewing a lease on the row.

A worker machine can vanish (killed, powered off, cut off) without anyone being told.
So a worker claims a job for ``lease_s`` seconds and renews the lease every third of
that; any API process finding a lease expired (``reap_expired_leases``) puts the job back
in the queue for another attempt, up to ``max_attempts``, then fails it with the reason.
Every step is a conditional update naming the attempt, so two reapers do not both retry
a job, and a worker that lost its lease can no longer finish it (its plan is discarded).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from dispatch.store.database import session_scope
from dispatch.store.jobs import JobRepository, JobStatus, SolveJob

log = logging.getLogger(__name__)


class LeaseKeeper:
    """Renews a running job's lease from a thread, for as long as the ``with`` lasts.

    ``lost`` is set once a renewal finds the job is no longer this attempt's (cancelled,
    failed, or retried elsewhere): the solve's result will not be kept, and ``on_lost``
    is called to stop it. This is how a cancel reaches a solve even if the broker's
    revoke did not (the worker was cut off from the broker at the time).
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        job_id: int,
        attempt: int,
        lease_s: float,
        on_lost: Callable[[], None] | None = None,
    ) -> None:
        self._on_lost = on_lost
        self._factory = factory
        self._job_id = job_id
        self._attempt = attempt
        self._lease_s = lease_s
        self._stop = threading.Event()
        self.lost = threading.Event()
        self._thread = threading.Thread(target=self._renew, name=f"lease-{job_id}", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _renew(self) -> None:
        while not self._stop.wait(self._lease_s / 3):
            try:
                with session_scope(self._factory) as session:
                    held = JobRepository(session).renew_lease(
                        self._job_id, attempt=self._attempt, lease_s=self._lease_s
                    )
            except OperationalError:
                log.warning("job %s: lease not renewed, the database is unreachable", self._job_id)
                continue
            if not held:
                try:
                    self._lose()
                except OperationalError:
                    continue
                return

    def _lose(self) -> None:
        """The job is no longer this attempt's; unless it just succeeded (the renewal
        raced the attempt's own finish), stop the solve."""
        with session_scope(self._factory) as session:
            status = JobRepository(session).get(self._job_id).status
        if self._stop.is_set() or status is JobStatus.SUCCEEDED:
            return
        log.warning(
            "job %s attempt %s lost its job (now %s); stopping the solve",
            self._job_id,
            self._attempt,
            status.value,
        )
        self.lost.set()
        if self._on_lost is not None:
            self._on_lost()


@dataclass
class Reaped:
    """What one pass over expired leases did."""

    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def reap_expired_leases(
    factory: sessionmaker[Session], *, max_attempts: int, resubmit: Callable[[int], None]
) -> Reaped:
    """Retry (``resubmit``) or fail every running job whose lease has expired."""
    reaped = Reaped()
    with session_scope(factory) as session:
        expired = JobRepository(session).expired_leases()
    for job in expired:
        if job.attempt < max_attempts:
            if _requeue(factory, job):
                log.warning("job %s: lease of attempt %s expired; retrying", job.id, job.attempt)
                reaped.retried.append(job.id)
                resubmit(job.id)
        elif _fail(factory, job, max_attempts):
            log.error("job %s failed: lease expired on its last attempt", job.id)
            reaped.failed.append(job.id)
    return reaped


def _requeue(factory: sessionmaker[Session], job: SolveJob) -> bool:
    with session_scope(factory) as session:
        return JobRepository(session).requeue_expired(job.id, attempt=job.attempt)


def _fail(factory: sessionmaker[Session], job: SolveJob, max_attempts: int) -> bool:
    reason = (
        f"the worker stopped renewing its lease ({job.worker}) on attempt {job.attempt} "
        f"of {max_attempts}; no attempts left"
    )
    with session_scope(factory) as session:
        return JobRepository(session).fail_expired(job.id, attempt=job.attempt, reason=reason)
