"""Every way a command can fail ends in one line on stderr and an exit code, never a
traceback on the terminal.

- exit 2: bad input, the user's to fix (``DispatchError``, a usage error, a bad form);
- exit 3: the store is unreachable or not migrated;
- exit 1: a bug. The one line names the error and a file holding its traceback.
"""

from __future__ import annotations

import functools
import os
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError, ProgrammingError

# Typer vendors click (``typer._click``): its usage errors are these classes, not click's.
from typer._click.exceptions import ClickException, NoArgsIsHelpError
from typer.core import TyperGroup

from dispatch.errors import DispatchError, InvalidInputError

P = ParamSpec("P")
R = TypeVar("R")

EXIT_BUG = 1
EXIT_BAD_INPUT = 2
EXIT_STORE = 3

_NOT_MIGRATED = (
    "the database is not initialised or is out of date: run `dispatch db upgrade` ({detail})"
)


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    return typer.Exit(code)


def form_error(error: ValidationError, prefix: str = "") -> InvalidInputError:
    """The first problem of a pydantic validation, as bad input naming its field."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return InvalidInputError(f"{prefix}{where}: {first['msg']}", field=where)


def crash_report(error: BaseException) -> Path:
    """Write the traceback of an unexpected error to a file and return its path."""
    name = f"dispatch-crash-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.log"
    path = Path(tempfile.gettempdir()) / name
    path.write_text("".join(traceback.format_exception(error)), encoding="utf-8")
    return path


def friendly_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn every error into one line on stderr and an exit code (see the module)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, ClickException):
            raise
        except DispatchError as error:
            raise _fail(str(error), EXIT_BAD_INPUT) from None
        except ValidationError as error:
            raise _fail(str(form_error(error)), EXIT_BAD_INPUT) from None
        except (OperationalError, ProgrammingError) as error:
            detail = str(error.orig).splitlines()[0] if error.orig else type(error).__name__
            raise _fail(_NOT_MIGRATED.format(detail=detail), EXIT_STORE) from None
        except Exception as error:
            path = crash_report(error)
            summary = f"{type(error).__name__}: {error}"[:300]
            raise _fail(f"unexpected {summary} (a bug; traceback in {path})", EXIT_BUG) from None

    return wrapper


class OneLineErrors(TyperGroup):
    """The ``dispatch`` group: usage errors (a missing option, ``--seconds abc``) are one
    line and exit 2, like every other error, instead of click's boxed usage text."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except NoArgsIsHelpError:  # Typer has printed the help already
            _exit("error: missing command (the commands are listed above)", EXIT_BAD_INPUT)
        except ClickException as error:
            _exit(f"error: {' '.join(error.format_message().split())}", EXIT_BAD_INPUT)
        except typer.Abort:
            _exit("error: aborted", EXIT_BUG)
        if not standalone_mode:
            return code
        raise SystemExit(code if isinstance(code, int) else 0)


def _exit(line: str, code: int) -> NoReturn:
    typer.echo(line, err=True)
    raise SystemExit(code)
