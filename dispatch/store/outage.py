"""Riding out a database outage: retry an action while the database is unreachable.

A job's bookkeeping (failing it, reading its limit) must not be lost because the
database blinked: a thread that dies with ``OperationalError`` leaves its job ``running``
for ever. Only ``OperationalError`` (the connection failed or dropped) is retried; any
other error is a bug or a conflict and is raised at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import OperationalError

T = TypeVar("T")
log = logging.getLogger(__name__)

FIRST_WAIT_S = 0.2
MAX_WAIT_S = 2.0


def while_unreachable(
    action: Callable[[], T],
    *,
    patience_s: float,
    stop: threading.Event | None = None,
    what: str = "a database call",
) -> T:
    """``action()``, retried with backoff while it raises ``OperationalError``.

    Gives up (raising the last error) after ``patience_s`` or once ``stop`` is set.
    """
    deadline = time.monotonic() + patience_s
    wait = FIRST_WAIT_S
    while True:
        try:
            return action()
        except OperationalError:
            left = deadline - time.monotonic()
            if left <= 0 or (stop is not None and stop.is_set()):
                raise
            log.warning("database unreachable during %s; retrying in %.1f s", what, wait)
            if stop is not None:
                stop.wait(min(wait, left))
            else:
                time.sleep(min(wait, left))
            wait = min(wait * 2, MAX_WAIT_S)
