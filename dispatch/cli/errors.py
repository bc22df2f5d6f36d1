"""Bad input ends a command with a one-line reason and a non-zero exit, never a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from sqlalchemy.exc import OperationalError, ProgrammingError

from dispatch.errors import DispatchError

P = ParamSpec("P")
R = TypeVar("R")

EXIT_BAD_INPUT = 2
EXIT_STORE = 3

_NOT_MIGRATED = (
    "the database is not initialised or is out of date: run `dispatch db upgrade` ({detail})"
)


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def friendly_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the errors a user can cause into one line on stderr and an exit code."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (DispatchError, ValueError, LookupError) as error:
            raise _fail(str(error), EXIT_BAD_INPUT) from None
        except (OperationalError, ProgrammingError) as error:
            detail = str(error.orig).splitlines()[0] if error.orig else type(error).__name__
            raise _fail(_NOT_MIGRATED.format(detail=detail), EXIT_STORE) from None

    return wrapper
