"""Instants are stored in UTC and come back as aware UTC datetimes on every backend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Dialect, create_engine, select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from dispatch.domain import Office
from dispatch.store.models import TicketRow
from dispatch.store.repository import TicketRepository
from dispatch.store.types import UTCDateTime
from tests.store import builders
from tests.store.builders import SHANGHAI, URBAN

SQLITE = create_engine("sqlite://").dialect
POSTGRESQL = create_engine("postgresql+psycopg://user@localhost/db").dialect


def test_shanghai_time_comes_back_equal_and_in_utc(session: Session, office: Office) -> None:
    called = datetime(2026, 11, 23, 8, 30, tzinfo=SHANGHAI)
    ticket = TicketRepository(session).add(
        builders.draft(called_at=called), deadline_at=called, **URBAN
    )
    session.commit()
    session.expunge_all()

    stored = session.scalar(select(TicketRow.called_at).where(TicketRow.id == ticket.id))

    assert stored == called
    assert stored is not None and stored.tzinfo is UTC
    assert stored.hour == 0 and stored.minute == 30


def test_stored_value_is_the_utc_wall_time(session: Session, office: Office) -> None:
    called = datetime(2026, 11, 23, 8, 30, tzinfo=SHANGHAI)
    TicketRepository(session).add(builders.draft(called_at=called), deadline_at=called, **URBAN)
    session.flush()
    as_text = (
        "CAST(called_at AS TEXT)"
        if session.get_bind().dialect.name == "sqlite"
        else "to_char(called_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
    )
    raw = session.execute(text(f"SELECT {as_text} FROM tickets")).scalar_one()
    assert raw.startswith("2026-11-23 00:30:00")


def test_naive_datetime_is_refused_on_write(session: Session, office: Office) -> None:
    ticket = TicketRepository(session).add(
        builders.draft(), deadline_at=builders.CALLED_AT, **URBAN
    )
    row = session.get_one(TicketRow, ticket.id)
    row.updated_at = datetime(2026, 11, 23, 9, 0)

    with pytest.raises(StatementError) as raised:
        session.flush()
    assert isinstance(raised.value.orig, ValueError)


@pytest.mark.parametrize("dialect", [SQLITE, POSTGRESQL], ids=["sqlite", "postgresql"])
def test_bind_converts_to_utc_and_refuses_naive(dialect: Dialect) -> None:
    column_type = UTCDateTime()
    shanghai = datetime(2026, 1, 1, 8, 0, tzinfo=SHANGHAI)

    bound = column_type.process_bind_param(shanghai, dialect)

    assert bound is not None and bound.replace(tzinfo=UTC) == shanghai
    with pytest.raises(ValueError, match="naive"):
        column_type.process_bind_param(datetime(2026, 1, 1), dialect)


def test_result_is_always_aware_utc() -> None:
    column_type = UTCDateTime()
    naive = datetime(2026, 1, 1, 0, 0)
    aware = datetime(2026, 1, 1, 8, 0, tzinfo=SHANGHAI)

    assert column_type.process_result_value(naive, SQLITE) == naive.replace(tzinfo=UTC)
    converted = column_type.process_result_value(aware, POSTGRESQL)
    assert converted == aware and converted is not None and converted.tzinfo is UTC
