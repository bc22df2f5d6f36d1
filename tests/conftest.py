"""Database fixtures shared by the whole suite.

The suite runs on SQLite by default (a file in a temporary directory) and on PostgreSQL
when ``DATABASE_URL`` is a ``postgresql`` URL: then a throwaway database
``fsdispatch_test_<hex>`` is created on that server for the session and dropped at the end.
Either way the schema comes only from the Alembic migrations, and every table is emptied
after each test that used the ``session`` fixture.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from dispatch.store.database import make_engine, session_factory
from dispatch.store.migrate import throwaway_database, upgrade
from dispatch.store.models import Base


def _server_url() -> URL | None:
    """The PostgreSQL server the suite should run on, if ``DATABASE_URL`` names one."""
    raw = os.environ.get("DATABASE_URL", "")
    if not raw.startswith("postgresql"):
        return None
    url = make_url(raw)
    return url.set(drivername="postgresql+psycopg") if url.drivername == "postgresql" else url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a freshly migrated database, private to this test session."""
    server = _server_url()
    if server is None:
        path = Path(tmp_path_factory.mktemp("db")) / "fsdispatch.sqlite3"
        url = f"sqlite:///{path}"
        upgrade(url)
        yield url
        return
    with throwaway_database(server, "fsdispatch_test") as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the migrated database; all rows are deleted after the test."""
    session = session_factory(engine)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()
        _delete_all_rows(engine)


def _delete_all_rows(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


#: Suites that touch no database unless a test asks for one of ``DATABASE_FIXTURES``: the
#: solver, the domain, the fixtures' generators.
DATABASE_FREE = ("tests/solver/", "tests/dispatch/", "tests/fixtures/")
DATABASE_FIXTURES = {"database_url", "engine", "session"}


def _uses_no_database(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.nodeid.startswith(DATABASE_FREE) and not DATABASE_FIXTURES & fixtures


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect (not skip: in CI no test may skip) what a run's database does not need.

    On SQLite, the tests marked ``postgres``: they need what only a server database has,
    e.g. a network connection to cut, or workers in other processes. On PostgreSQL, the
    tests of ``DATABASE_FREE`` that use no database: the SQLite run (CI's first) has them,
    and they would test nothing new on a server.
    """
    if _server_url() is None:
        dropped = [item for item in items if item.get_closest_marker("postgres") is not None]
    else:
        dropped = [item for item in items if _uses_no_database(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        gone = set(map(id, dropped))
        items[:] = [item for item in items if id(item) not in gone]
