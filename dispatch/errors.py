"""Typed errors of the dispatch domain.

The API maps them to HTTP statuses in one place (``api/problems.py``) and the CLI to exit
code 2; services and the store raise them for the user's mistakes. Any other exception is a
bug: a 500 (or exit 1) with its traceback logged, never dressed up as bad input.
``IllegalTransitionError`` (a forbidden status change) lives in ``dispatch.lifecycle``.

``InvalidInputError`` and ``NotFoundError`` also derive from ``ValueError`` and
``LookupError``, so code that validates like the standard library still catches them;
the reverse is not true: a bare ``ValueError`` is not bad input.
"""

from __future__ import annotations


class DispatchError(Exception):
    """Base of every error the dispatch domain raises on purpose."""


class InvalidInputError(DispatchError, ValueError):
    """A value the user gave breaks a rule; ``field`` names it when known (``called_at``)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(DispatchError, LookupError):
    """No record of ``kind`` has the key ``key``."""

    def __init__(self, kind: str, key: object, *, hint: str = "") -> None:
        super().__init__(f"{kind} {key!r} not found" + (f"; {hint}" if hint else ""))
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
