"""The embedded job runner: each solve in its own spawned process, owned by the server.

One process per job rather than a shared ``ProcessPoolExecutor``: cancelling a job
terminates exactly its process (a pool cannot stop one running task), and a worker that
crashes or is killed fails only its own job (a broken pool fails every job in it). A
fixed number of slots caps how many solves run at once; the others wait ``queued``,
emergency re-plans ahead of daily plans and with slots of their own (``api.slots``). A
thread per job only waits on its process, so no solve ever runs in the server's event
loop or threads.

The processes are spawned ahead of their jobs (``api.standby``): every free slot has a
worker that has already imported everything a job needs and waits for a job id, so a job
starts in milliseconds rather than the half second a fresh interpreter takes, even while
another solve runs. A slot's next worker is spawned when its job's worker has exited, not
at the handover: warming up takes half a second of CPU, which the solve just handed over
would otherwise have to share (on a busy 2-core machine, a 1 s country re-plan then left
its urgent call late far more often). So there are ``workers`` processes, each running a
job or waiting for one. The job's time limit counts from the handover.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from api.slots import Slots
from api.standby import Standby, Worker
from dispatch.services.jobs import REPLAN
from dispatch.store.database import session_scope
from dispatch.store.jobs import JobRepository, SolveJob
from dispatch.store.outage import while_unreachable

WORKER_GRACE_S = 60.0
"""Time a worker gets beyond its solve limit to start (if it was not warm), load the day
and store the plan."""
OUTAGE_PATIENCE_S = 3600.0
"""How long a job's thread keeps trying to record its job's end while the database is
unreachable: a thread that gave up would leave the job ``running`` (and its scope and day
blocked) until the next restart."""

T = TypeVar("T")
OnFinished = Callable[[str, float, str], None]
"""Called with (job kind, seconds the worker ran, final status) when a worker process ends."""


class LocalProcessRunner:
    """A ``dispatch.services.jobs.JobRunner`` running jobs in local spawned processes."""

    def __init__(
        self,
        database_url: str,
        factory: sessionmaker[Session],
        *,
        workers: int,
        emergency_workers: int = 0,
        on_finished: OnFinished | None = None,
    ) -> None:
        self._factory = factory
        self._workers = workers + emergency_workers
        self._slots = Slots(workers, emergency_workers)
        self._standby = Standby(multiprocessing.get_context("spawn"), database_url)
        self._processes: dict[int, BaseProcess] = {}
        self._cancelled: set[int] = set()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._on_finished = on_finished
        self._standby.fill(self._workers)

    @property
    def standby_pids(self) -> tuple[int, ...]:
        """The idle workers' process ids (for tests and diagnostics)."""
        return self._standby.pids

    def check(self) -> None:
        """Always able to take a job: it waits ``queued`` for a slot."""

    def status(self) -> dict[str, Any]:
        return {"backend": "embedded", "workers": self._workers}

    @property
    def urgent_waiting(self) -> int:
        """Emergency re-plans waiting for a slot (for tests and diagnostics)."""
        return self._slots.urgent_waiting

    def submit(self, job_id: int) -> None:
        thread = threading.Thread(target=self._run, args=(job_id,), name=f"job-{job_id}")
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def cancel(self, job_id: int) -> None:
        with self._lock:
            self._cancelled.add(job_id)
            process = self._processes.get(job_id)
        if process is not None and process.is_alive():
            process.terminate()

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop taking jobs, end the standby and running solves (their jobs fail), wait."""
        with self._lock:
            self._closing.set()
            processes = list(self._processes.values())
            threads = list(self._threads)
        self._standby.close(timeout)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for thread in threads:
            thread.join(timeout)

    def _run(self, job_id: int) -> None:
        job = self._patiently(lambda: self._job(job_id))
        urgent = job.kind == REPLAN
        with self._slots.held(urgent=urgent):
            worker = self._worker_for(job_id, urgent)
            if worker is None:
                return
            handed_over = time.monotonic()
            worker.hand(job_id)
            try:
                self._watch(job, worker.process, handed_over)
            finally:
                self._refill()

    def _worker_for(self, job_id: int, urgent: bool) -> Worker | None:
        """Take a warm worker for the job; None if the job was cancelled or the server closes.

        Checked and registered under the lock, so ``cancel`` and ``shutdown`` either see
        the job's process or stop the job before it gets one.
        """
        with self._lock:
            if job_id in self._cancelled:
                return None
            if not self._closing.is_set():
                worker = self._standby.take(warmest=urgent)
                self._processes[job_id] = worker.process
                return worker
        self._fail(job_id, "the server shut down before the job started")
        return None

    def _refill(self) -> None:
        """Warm a worker for each free slot (the one this job's worker has just left)."""
        with self._lock:
            running = len(self._processes)
        self._standby.fill(self._workers - running)

    def _watch(self, job: SolveJob, process: BaseProcess, handed_over: float) -> None:
        """Wait for the worker, within the job's time limit, and fail the job if it died."""
        job_id, limit = job.id, job.seconds + WORKER_GRACE_S
        process.join(max(0.0, handed_over + limit - time.monotonic()))
        overran = process.is_alive()
        if overran:
            process.terminate()
            process.join()
        with self._lock:
            self._processes.pop(job_id, None)
        reason = _why_ended(process.exitcode, overran, limit, self._closing.is_set())
        status = self._fail(job_id, reason)
        if self._on_finished is not None:
            self._on_finished(job.kind, time.monotonic() - handed_over, status)

    def _job(self, job_id: int) -> SolveJob:
        with session_scope(self._factory) as session:
            return JobRepository(session).get(job_id)

    def _fail(self, job_id: int, reason: str) -> str:
        """Fail the job if it is still live (a finished or cancelled job is left alone),
        waiting out a database outage. Returns the job's final status."""
        return self._patiently(lambda: self._record_failure(job_id, reason))

    def _record_failure(self, job_id: int, reason: str) -> str:
        with session_scope(self._factory) as session:
            jobs = JobRepository(session)
            jobs.fail(job_id, reason)
            return jobs.get(job_id).status.value

    def _patiently(self, action: Callable[[], T]) -> T:
        return while_unreachable(
            action, patience_s=OUTAGE_PATIENCE_S, stop=self._closing, what="job bookkeeping"
        )


def _why_ended(code: int | None, overran: bool, limit: float, closing: bool) -> str:
    """The failure reason of a job whose worker exited without finishing it."""
    if overran:
        return f"the worker overran its time limit ({limit:.0f} s) and was stopped"
    if code == 0:
        return "the worker ended without finishing the job"
    if closing:
        return "the server shut down during the solve"
    return f"the worker process died (exit code {code})"
