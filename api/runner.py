"""The embedded job runner: each solve in its own spawned process, owned by the server.

One process per job rather than a shared ``ProcessPoolExecutor``: cancelling a job
terminates exactly its process (a pool cannot stop one running task), and a worker that
crashes or is killed fails only its own job (a broken pool fails every job in it). A
semaphore caps how many solves run at once; the others wait ``queued``. A thread per job
only waits on its process, so no solve ever runs in the server's event loop or threads.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess

from sqlalchemy.orm import Session, sessionmaker

from dispatch.services.jobs import run_job
from dispatch.store.database import session_scope
from dispatch.store.jobs import JobRepository

WORKER_GRACE_S = 60.0
"""Time a worker gets beyond its solve limit to start, load the day and store the plan."""

OnFinished = Callable[[int, float, str], None]
"""Called with (job id, seconds the worker ran, final status) when a worker process ends."""


class LocalProcessRunner:
    """A ``dispatch.services.jobs.JobRunner`` running jobs in local spawned processes."""

    def __init__(
        self,
        database_url: str,
        factory: sessionmaker[Session],
        *,
        workers: int,
        on_finished: OnFinished | None = None,
    ) -> None:
        self._url = database_url
        self._factory = factory
        self._slots = threading.BoundedSemaphore(workers)
        self._context = multiprocessing.get_context("spawn")
        self._processes: dict[int, BaseProcess] = {}
        self._cancelled: set[int] = set()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._on_finished = on_finished

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
        """Stop taking jobs, end running solves (their jobs fail), wait for the threads."""
        self._closing.set()
        with self._lock:
            processes = list(self._processes.values())
            threads = list(self._threads)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for thread in threads:
            thread.join(timeout)

    def _run(self, job_id: int) -> None:
        with self._slots:
            with self._lock:
                if job_id in self._cancelled:
                    return
            if self._closing.is_set():
                self._fail(job_id, "the server shut down before the job started")
                return
            process = self._context.Process(target=run_job, args=(self._url, job_id), daemon=True)
            with self._lock:
                self._processes[job_id] = process
            self._watch(job_id, process)

    def _watch(self, job_id: int, process: BaseProcess) -> None:
        """Wait for the worker, within the job's time limit, and fail the job if it died."""
        with session_scope(self._factory) as session:
            limit = JobRepository(session).get(job_id).seconds + WORKER_GRACE_S
        started = time.monotonic()
        process.start()
        process.join(limit)
        overran = process.is_alive()
        if overran:
            process.terminate()
            process.join()
        with self._lock:
            self._processes.pop(job_id, None)
        reason = _why_ended(process.exitcode, overran, limit, self._closing.is_set())
        status = self._fail(job_id, reason)
        if self._on_finished is not None:
            self._on_finished(job_id, time.monotonic() - started, status)

    def _fail(self, job_id: int, reason: str) -> str:
        """Fail the job if it is still live (a finished or cancelled job is left alone).

        Returns the job's final status.
        """
        with session_scope(self._factory) as session:
            jobs = JobRepository(session)
            jobs.fail(job_id, reason)
            return jobs.get(job_id).status.value


def _why_ended(code: int | None, overran: bool, limit: float, closing: bool) -> str:
    """The failure reason of a job whose worker exited without finishing it."""
    if overran:
        return f"the worker overran its time limit ({limit:.0f} s) and was stopped"
    if code == 0:
        return "the worker ended without finishing the job"
    if closing:
        return "the server shut down during the solve"
    return f"the worker process died (exit code {code})"
