"""A function run in a spawned child process, its result collected within a timeout.

Used for the second engine of a race (``solver.engine``) and for the parts of a large
problem (``solver.decompose``). The child is a ``spawn`` process: forking a process that
holds OR-Tools is not safe. A child that dies, fails or overruns gives ``None`` and is
terminated; the caller carries on with what it has. A script that starts children needs
the usual ``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any


def _run(conn: Connection, target: Callable[..., object], args: tuple[Any, ...]) -> None:
    """Child process body: call ``target`` and send back what it returns."""
    try:
        conn.send(target(*args))
    finally:
        conn.close()


@dataclass(slots=True)
class Child:
    """A running child process and the pipe its result comes back on."""

    process: BaseProcess
    conn: Connection

    def result(self, timeout_s: float) -> object | None:
        """What the child returned, if it arrives within ``timeout_s``; it is ended either way."""
        received: object | None = None
        try:
            if self.conn.poll(max(0.0, timeout_s)):
                received = self.conn.recv()
        except (EOFError, OSError):
            received = None
        finally:
            self.conn.close()
            if self.process.is_alive():
                self.process.terminate()
            self.process.join(timeout=1.0)
        return received


def start(target: Callable[..., object], *args: Any) -> Child:
    """Run ``target(*args)`` in a new spawned process; ``target`` must be importable."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_run, args=(send, target, args), daemon=True)
    process.start()
    send.close()
    return Child(process, receive)
