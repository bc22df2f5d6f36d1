"""Apply the Alembic migrations from code (``dispatch db upgrade``, tests, deployments).

The Alembic configuration is built here rather than read from ``alembic.ini``, with the
script location taken from this package, so it works from an installed wheel too. The
repo-root ``alembic.ini`` is for developers running the ``alembic`` command itself.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import URL

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
