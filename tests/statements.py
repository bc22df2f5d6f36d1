"""Counting the SQL statements a piece of code sends, to pin "one query, not one per row"."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event


@contextmanager
def statements_reading(engine: Engine, table: str) -> Iterator[list[str]]:
    """The statements reading ``table`` (``FROM <table>``) while the block runs."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        statement = str(args[2])
        if f"FROM {table}" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
