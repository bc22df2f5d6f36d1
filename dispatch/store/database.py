"""Engines and sessions for SQLite (development, tests) and PostgreSQL (production, CI)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 5_000
"""How long a SQLite writer waits for another writer's lock before failing."""


def make_engine(url: str | URL, *, connections: int | None = None) -> Engine:
    """Create an engine for ``url``, tuned for its backend.

    ``connections``: the most connections the pool keeps open at once (default:
    SQLAlchemy's 5 plus 10 overflow). A server sizes it to the threads that may use it.

    SQLite: the file's parent directory is created, and every connection gets foreign
    keys ON, WAL journaling (readers do not block the writer) and a busy timeout.
    PostgreSQL: a plain ``postgresql://`` URL is pinned to the psycopg 3 driver.
    """
    parsed = make_url(url)
    pool: dict[str, Any] = {}
    if connections is not None:
        pool = {"pool_size": connections, "max_overflow": 0}
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, pool)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True, **pool)


def _sqlite_engine(url: URL, pool: dict[str, Any]) -> Engine:
    database = url.database or ""
    in_memory = not database or database == ":memory:" or database.startswith("file:")
    if not in_memory:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **({} if in_memory else pool))
    event.listen(engine, "connect", _configure_sqlite_connection)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session maker bound to ``engine``.

    Objects stay loaded after commit (``expire_on_commit=False``): repositories hand out
    domain values, and a committed row should not trigger a reload when read afterwards.
    """
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit if the block succeeds, roll back if it raises."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
