"""How late the event loop runs, and what it was doing meanwhile.

The loop answers every request's parsing and writing and every ``/healthz`` probe, so
a probe waits as long as the loop is late. ``LoopWatch`` sleeps a short tick on the
loop and measures how much later than asked it woke (the lag). For a tick that overran
by more than ``STALL_S`` it splits the tick's wall time, from the loop thread's
``/proc/thread-self/schedstat`` (Linux), into:

- ``running``: the loop thread was on a core, running Python or C (the loop's own work:
  many requests' parsing, middleware and writing in one iteration);
- ``runnable``: it was ready but waited for a core (the machine is oversubscribed);
- ``blocked``: it slept, which on a busy loop means waiting for the interpreter lock
  held by a request thread (or idle in ``epoll`` for the part of the tick it asked for).

The lag is a histogram and the stall seconds a counter by cause in ``/metrics``; a tick
over ``WARN_S`` late is also logged with its split. Every cyclic garbage collection is
timed too (``gc.callbacks``): it holds the interpreter lock, whichever thread runs it.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from pathlib import Path

from api.metrics import Metrics

TICK_S = 0.02
STALL_S = 0.025
"""A tick more than this late counts as a stall and is split by cause."""
WARN_S = 0.1
"""A tick this late (a ``/healthz`` probe would have waited over its 100 ms) is logged."""
SCHEDSTAT = Path("/proc/thread-self/schedstat")

_log = logging.getLogger(__name__)


def _schedstat() -> tuple[float, float] | None:
    """Seconds the calling thread has run and waited for a core, or None off Linux."""
    try:
        ran, waited, _ = SCHEDSTAT.read_text().split()
    except (OSError, ValueError):
        return None
    return int(ran) / 1e9, int(waited) / 1e9


class LoopWatch:
    """A task on the serving loop measuring its lag into ``metrics``."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics
        self._task: asyncio.Task[None] | None = None
        self._collecting_since = 0.0

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._watch())
        gc.callbacks.append(self._time_collection)

    async def stop(self) -> None:
        gc.callbacks.remove(self._time_collection)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def _time_collection(self, phase: str, info: dict[str, int]) -> None:
        """``gc.callbacks`` hook: time each collection, whichever thread runs it."""
        if phase == "start":
            self._collecting_since = time.perf_counter()
            return
        pause = time.perf_counter() - self._collecting_since
        self._metrics.gc_pause.labels(str(info["generation"])).observe(pause)

    async def _watch(self) -> None:
        while True:
            before, stat = time.perf_counter(), _schedstat()
            await asyncio.sleep(TICK_S)
            wall = time.perf_counter() - before
            lag = max(0.0, wall - TICK_S)
            self._metrics.loop_lag.observe(lag)
            if lag > STALL_S and stat is not None:
                self._split(wall, lag, stat)

    def _split(self, wall: float, lag: float, before: tuple[float, float]) -> None:
        after = _schedstat()
        if after is None:
            return
        causes = stall_causes(wall, before, after)
        for cause, seconds in causes.items():
            self._metrics.loop_stall_seconds.labels(cause).inc(seconds)
        if lag > WARN_S:
            split = ", ".join(f"{cause} {1000 * s:.0f} ms" for cause, s in causes.items())
            _log.warning(
                "event loop %.0f ms late (tick of %.0f ms: %s)", 1000 * lag, 1000 * wall, split
            )


def stall_causes(
    wall: float, before: tuple[float, float], after: tuple[float, float]
) -> dict[str, float]:
    """A late tick's ``wall`` seconds split by the loop thread's schedstat readings
    (run, wait-for-core) taken before and after it."""
    running, runnable = after[0] - before[0], after[1] - before[1]
    return {
        "running": running,
        "runnable": runnable,
        "blocked": max(0.0, wall - running - runnable),
    }
