"""Typed errors of the dispatch domain.

The API maps them to HTTP statuses in one place; services and the store raise them.
``IllegalTransitionError`` (a forbidden status change) lives in ``dispatch.lifecycle``.
"""

from __future__ import annotations


class DispatchError(Exception):
    """Base of every error the dispatch domain raises on purpose."""


class NotFoundError(DispatchError):
    """No record of ``kind`` has the key ``key``."""

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key!r} not found")
        self.kind = kind
        self.key = key


class ConflictError(DispatchError):
    """The change collides with existing data (a duplicate key, a concurrent insert)."""


class StaleVersionError(DispatchError):
    """The caller's copy of a record is out of date: someone changed it in between."""

    def __init__(self, kind: str, key: object, *, expected: int, actual: int) -> None:
        super().__init__(
            f"{kind} {key!r} is at version {actual}, not the expected version {expected}"
        )
        self.kind = kind
        self.key = key
        self.expected = expected
        self.actual = actual


class ProblemTooLargeError(DispatchError):
    """The day is beyond the planner's documented size limits (``docs/solver.md``, "Limits").

    Refused before anything large is built, so the memory of a plan stays bounded.
    """
