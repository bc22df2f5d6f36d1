"""The schema comes from the migrations, and the migrations match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from dispatch.store.migrate import alembic_config, upgrade
from dispatch.store.models import Base

EXPECTED_TABLES = {
    "alembic_version",
    "offices",
    "engineers",
    "tickets",
    "users",
    "solve_jobs",
    "idempotency_keys",
    "plans",
    "visits",
    "unassigned",
    "surveys",
}


def test_migrations_create_the_expected_tables(engine: Engine) -> None:
    assert set(inspect(engine).get_table_names()) == EXPECTED_TABLES


def test_migrations_create_the_query_indexes(engine: Engine) -> None:
    inspector = inspect(engine)
    tickets = {tuple(ix["column_names"]) for ix in inspector.get_indexes("tickets")}
    visits = {tuple(uq["column_names"]) for uq in inspector.get_unique_constraints("visits")}
    assert {("office_code", "status"), ("called_at",)} <= tickets
    assert ("plan_id", "engineer_id", "sequence") in visits


def test_database_is_at_head(engine: Engine) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head


def test_models_and_migrations_agree(engine: Engine) -> None:
    """Autogenerate finds nothing to do: a model change without a migration fails here."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrade_again_is_a_no_op(database_url: str, engine: Engine) -> None:
    upgrade(database_url)
    assert set(inspect(engine).get_table_names()) == EXPECTED_TABLES
