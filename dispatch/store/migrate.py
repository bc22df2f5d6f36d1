"""Apply the Alembic migrations from code (``dispatch db upgrade``, tests, deployments).

The Alembic configuration is built here rather than read from ``alembic.ini``, with the
script location taken from this package, so it works from an installed wheel too. The
repo-root ``alembic.ini`` is for developers running the ``alembic`` command itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from dispatch.store.database import make_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    """An Alembic configuration pointing at the migrations shipped in this package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(url: str | URL, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision`` (default: the latest).

    The migrations run on an engine from ``make_engine``, so they see the same
    connection settings as the application (SQLite foreign keys, WAL, psycopg driver).
    """
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


@contextmanager
def throwaway_database(server: str | URL, prefix: str) -> Iterator[str]:
    """A freshly migrated PostgreSQL database on ``server``, dropped on exit (tests, benches).

    Its name is ``prefix`` and a random suffix, so parallel runs never share one.
    """
    name = f"{prefix}_{secrets.token_hex(6)}"
    admin = make_engine(server).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
