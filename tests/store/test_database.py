"""Engines are tuned per backend; session_scope commits or rolls back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dispatch.store.database import (
    SQLITE_BUSY_TIMEOUT_MS,
    make_engine,
    session_factory,
    session_scope,
)
from dispatch.store.models import EngineerRow, OfficeRow
from dispatch.store.repository import OfficeRepository
from tests.store import builders


def test_sqlite_engine_creates_the_directory_and_sets_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/nested/dir/db.sqlite3")
    with engine.connect() as connection:
        pragmas = [
            connection.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("foreign_keys", "journal_mode", "busy_timeout")
        ]
    engine.dispose()

    assert (tmp_path / "nested" / "dir" / "db.sqlite3").exists()
    assert pragmas == [1, "wal", SQLITE_BUSY_TIMEOUT_MS]


def test_plain_postgresql_url_uses_psycopg() -> None:
    engine = make_engine("postgresql://user@localhost/db")
    assert engine.dialect.driver == "psycopg"


def test_foreign_keys_are_enforced(session: Session) -> None:
    session.add(EngineerRow(**_engineer_columns(office_code="NOPE")))
    with pytest.raises(IntegrityError):
        session.flush()


def test_session_scope_commits_on_success(engine: Engine, session: Session) -> None:
    with session_scope(session_factory(engine)) as scoped:
        OfficeRepository(scoped).upsert(builders.office("SH"))

    assert session.scalar(select(OfficeRow.code)) == "SH"


def test_session_scope_rolls_back_on_error(engine: Engine, session: Session) -> None:
    with pytest.raises(RuntimeError), session_scope(session_factory(engine)) as scoped:
        OfficeRepository(scoped).upsert(builders.office("SH"))
        raise RuntimeError("boom")

    assert session.scalar(select(OfficeRow.code)) is None


def _engineer_columns(office_code: str) -> dict[str, object]:
    engineer = builders.engineer(office_code=office_code)
    return {
        "id": engineer.id,
        "name": engineer.name,
        "office_code": office_code,
        "skills": [],
        "shift_start": engineer.shift_start,
        "shift_end": engineer.shift_end,
        "lunch_start": engineer.lunch_start,
        "lunch_minutes": 60,
        "overtime_cap_minutes": 0,
        "status": engineer.status,
    }
