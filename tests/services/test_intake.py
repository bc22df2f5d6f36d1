"""Intake reads the engineers' product lines once per batch, and refuses unknown lines alike."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dispatch.domain import Engineer, GeoPoint, TicketDraft
from dispatch.services.intake import Intake, register_ticket
from dispatch.services.seeding import seed
from dispatch.store.repository import EngineerRepository
from tests.api.conftest import DAY, SHANGHAI, load_organisation
from tests.statements import statements_reading


def _draft(line: str = "video-surveillance", minute: int = 0) -> TicketDraft:
    return TicketDraft(
        office_code="SH",
        customer="a customer",
        site=GeoPoint(31.2304, 121.4737),
        called_at=datetime(2026, 11, 23, 9, minute, tzinfo=SHANGHAI),
        product_line=line,
        fault="no picture",
    )


def test_a_batch_lists_the_engineers_once(session: Session, engine: Engine) -> None:
    load_organisation(session)
    intake = Intake(session)
    with statements_reading(engine, "engineers") as queries:
        tickets = [intake.register(_draft(minute=m)) for m in range(5)]
    assert len({t.id for t in tickets}) == 5
    assert len(queries) == 1


def test_a_batch_refuses_an_unknown_line_as_a_single_call_does(session: Session) -> None:
    load_organisation(session)
    intake = Intake(session)
    intake.register(_draft())
    with pytest.raises(ValueError, match="unknown product line 'toasters'; known lines: ") as batch:
        intake.register(_draft("toasters"))
    with pytest.raises(ValueError) as single:
        register_ticket(session, _draft("toasters"))
    assert str(batch.value) == str(single.value)
    assert "video-surveillance" in str(single.value)


def test_a_single_call_sees_a_newly_certified_line(session: Session) -> None:
    load_organisation(session)
    with pytest.raises(ValueError, match="toasters"):
        register_ticket(session, _draft("toasters"))
    EngineerRepository(session).upsert(Engineer("E99", "New", "SH", frozenset({"toasters"})))
    assert register_ticket(session, _draft("toasters")).draft.product_line == "toasters"


def test_seeding_a_day_lists_the_engineers_once(session: Session, engine: Engine) -> None:
    with statements_reading(engine, "engineers") as queries:
        report = seed(session, scenario="normal", day=DAY, seed=7)
    listings = [q for q in queries if "WHERE" not in q]
    assert report.tickets_added > 10
    assert len(listings) == 1
