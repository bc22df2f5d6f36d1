"""Replay: days planned in turn from the calls as they came in; the store is left alone."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy.orm import Session

from dispatch.services.intake import Intake
from dispatch.services.replay import ExtraEngineer, replay
from dispatch.store.repository import PlanRepository, TicketRepository
from fixtures.generator import generate_month
from tests.api.conftest import load_organisation
from tests.services.test_arrival_options import SHANGHAI

MONDAY = date(2026, 11, 2)


def _calls(session: Session, days: int) -> int:
    load_organisation(session)
    intake = Intake(session)
    drafts = generate_month(MONDAY, seed=7, days=days)
    for draft in drafts:
        intake.register(draft)
    session.commit()
    return len(drafts)


def test_every_call_is_served_once_or_left_open_and_the_store_is_unchanged(
    session: Session,
) -> None:
    calls = _calls(session, days=3)
    before = [(t.id, t.status, t.version) for t in TicketRepository(session).list()]
    report = replay(session, start=MONDAY, end=date(2026, 11, 4), seconds=1)
    assert [d.day for d in report.days] == [MONDAY, date(2026, 11, 3), date(2026, 11, 4)]
    assert report.total.served + report.open_at_end == calls
    assert sum(d.served for d in report.days) == report.total.served
    assert sum(f.served for f in report.offices.values()) == report.total.served
    for day in report.days:
        assert day.served + day.carried_over == day.planned
        assert day.total.engineer_days == report.engineers == 16
    assert report.days[1].planned == report.days[0].carried_over + sum(
        1
        for t in TicketRepository(session).list()
        if datetime.combine(date(2026, 11, 3), time(0), SHANGHAI)
        <= t.called_at
        < datetime.combine(date(2026, 11, 4), time(0), SHANGHAI)
    )
    rates = report.total.as_dict()
    assert 0.0 <= rates["on_time_rate"] <= 1.0 and rates["utilisation"] > 0
    assert [(t.id, t.status, t.version) for t in TicketRepository(session).list()] == before
    assert PlanRepository(session).latest(["ALL"], MONDAY) is None


def test_added_engineers_join_the_replay(session: Session) -> None:
    _calls(session, days=1)
    extra = [ExtraEngineer.parse("SH:ups-power+servers"), ExtraEngineer.parse("bj:storage")]
    report = replay(session, start=MONDAY, end=MONDAY, extra=extra, seconds=1)
    assert report.engineers == 18 and report.days[0].total.engineer_days == 18
    assert extra[1].office_code == "BJ" and extra[0].skills == {"ups-power", "servers"}
    for bad in ("SH", "SH:", ":storage"):
        with pytest.raises(ValueError):
            ExtraEngineer.parse(bad)
    with pytest.raises(LookupError):
        replay(session, start=MONDAY, end=MONDAY, extra=[ExtraEngineer.parse("XX:storage")])
    with pytest.raises(ValueError, match="unknown product line"):
        replay(session, start=MONDAY, end=MONDAY, extra=[ExtraEngineer.parse("SH:pagers")])
    with pytest.raises(ValueError):
        replay(session, start=MONDAY, end=date(2026, 11, 1))
