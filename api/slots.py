"""Solve slots with room kept for emergencies (issue 9, item 11).

An emergency re-plan must not queue behind routine daily plans. Two rules:

- **reserved slots**: ``reserved`` slots only emergencies may take, so an emergency
  starts at once even while every shared slot runs a daily plan;
- **priority**: when a shared slot frees up, a waiting emergency gets it before any
  waiting daily plan (daily plans among themselves keep no particular order).

An emergency takes a reserved slot first, so it costs the daily plans nothing while the
reserved ones last.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Slots:
    def __init__(self, shared: int, reserved: int) -> None:
        self._free_shared = shared
        self._free_reserved = reserved
        self._urgent_waiting = 0
        self._changed = threading.Condition()

    @property
    def urgent_waiting(self) -> int:
        """Emergencies waiting for a slot (for tests and diagnostics)."""
        with self._changed:
            return self._urgent_waiting

    @contextmanager
    def held(self, *, urgent: bool) -> Iterator[None]:
        """Wait for a slot (an urgent caller may take a reserved one) and hold it."""
        reserved = self._take(urgent)
        try:
            yield
        finally:
            with self._changed:
                if reserved:
                    self._free_reserved += 1
                else:
                    self._free_shared += 1
                self._changed.notify_all()

    def _take(self, urgent: bool) -> bool:
        """Take a slot; True if it is a reserved one."""
        with self._changed:
            if not urgent:
                self._changed.wait_for(lambda: self._free_shared > 0 and not self._urgent_waiting)
                self._free_shared -= 1
                return False
            self._urgent_waiting += 1
            try:
                self._changed.wait_for(lambda: self._free_reserved + self._free_shared > 0)
            finally:
                self._urgent_waiting -= 1
            if self._free_reserved > 0:
                self._free_reserved -= 1
                return True
            self._free_shared -= 1
            return False
