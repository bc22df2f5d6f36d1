"""The warm standby: worker processes spawned ahead of their jobs, already past imports.

A freshly spawned worker spends about half a second starting an interpreter and importing
OR-Tools, SQLAlchemy and the services before it can claim its job: a third of an emergency
re-plan's budget. So the runner keeps workers spawned in advance that have done all that
and wait on a pipe for a job id; handing a job over is one ``send``.

Each worker still runs exactly one job and exits, so cancelling a job terminates exactly
its process and a crash fails only its own job. An idle worker whose server is gone (the
pipe closes) exits without doing anything.
"""

from __future__ import annotations

import signal
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnContext
from multiprocessing.process import BaseProcess

from sqlalchemy.orm import configure_mappers

from dispatch.services.jobs import run_job
from dispatch.store.database import make_engine


@dataclass(frozen=True, slots=True)
class Worker:
    """A spawned worker process and the pipe its one job id goes down."""

    process: BaseProcess
    pipe: Connection

    def hand(self, job_id: int) -> None:
        """Give the worker its job; it starts at once if it has finished warming up.

        A worker that died meanwhile cannot take it: the runner then sees its exit code.
        """
        try:
            self.pipe.send(job_id)
        except OSError:
            pass
        finally:
            self.pipe.close()

    def stop(self, timeout: float) -> None:
        """Terminate the worker (it has no job) and reap it."""
        self.pipe.close()
        self.process.terminate()
        self.process.join(timeout)


def spawn_worker(context: SpawnContext, database_url: str) -> Worker:
    """Start a worker that warms up, then waits for its job id."""
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(
        target=_wait_for_job, args=(database_url, receiving), name="solve-worker", daemon=True
    )
    process.start()
    receiving.close()
    return Worker(process, sending)


class Standby:
    """Idle workers past their imports: ``take`` hands one out, ``fill`` spawns more."""

    def __init__(self, context: SpawnContext, database_url: str) -> None:
        self._context = context
        self._url = database_url
        self._idle: list[Worker] = []
        self._closed = False
        self._lock = threading.Lock()

    @property
    def pids(self) -> tuple[int, ...]:
        """The idle workers' process ids (for tests and diagnostics)."""
        with self._lock:
            return tuple(w.process.pid for w in self._idle if w.process.pid is not None)

    def take(self, *, warmest: bool = True) -> Worker:
        """An idle worker, or a freshly spawned one if there is none alive.

        ``warmest`` takes the longest-waiting worker (the likeliest to have finished
        warming up); otherwise the most recently spawned one, so that a daily plan
        does not take the warm worker an emergency arriving next would need.
        """
        with self._lock:
            while self._idle:
                worker = self._idle.pop(0 if warmest else -1)
                if worker.process.is_alive():
                    return worker
                worker.stop(timeout=1.0)
            return spawn_worker(self._context, self._url)

    def fill(self, count: int) -> None:
        """Spawn idle workers until there are ``count``, unless the standby is closed."""
        with self._lock:
            while len(self._idle) < count and not self._closed:
                self._idle.append(spawn_worker(self._context, self._url))

    def close(self, timeout: float) -> None:
        """Terminate the idle workers; spawn no more."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop(timeout)


def _wait_for_job(database_url: str, pipe: Connection) -> None:
    """Worker entry point: warm up, wait for one job id and run the job.

    Importing this module has already loaded everything ``run_job`` needs. Ctrl-C in the
    server's terminal reaches the whole process group; the server ends its workers itself.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _warm_up(database_url)
    try:
        job_id: int = pipe.recv()
    except EOFError:
        return
    finally:
        pipe.close()
    run_job(database_url, job_id)


def _warm_up(database_url: str) -> None:
    """Do the first-use work a job would otherwise pay for: the database driver's import
    (creating an engine opens no connection) and the ORM's mapper configuration."""
    make_engine(database_url).dispose()
    configure_mappers()
