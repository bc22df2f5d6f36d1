"""Opening the store from the CLI: one engine per process, one session per command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dispatch.settings import get_settings
from dispatch.store.database import make_engine, session_factory, session_scope


@cache
def _engine(url: str) -> Engine:
    return make_engine(url)


def database_url() -> str:
    return get_settings().database_url


@contextmanager
def open_session() -> Iterator[Session]:
    """A session on ``DATABASE_URL`` that commits on success and rolls back on error."""
    with session_scope(session_factory(_engine(database_url()))) as session:
        yield session
