"""Two sessions racing for the same ticket version or plan version: exactly one wins.

On PostgreSQL the loser waits on the row lock (SELECT ... FOR UPDATE) and then sees the
new version; on SQLite it waits on the write lock and its conditional UPDATE matches no
row. Either way it gets StaleVersionError and the ticket changes once.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dispatch.domain import Office, TicketStatus
from dispatch.errors import ConflictError, StaleVersionError
from dispatch.store.database import session_factory, session_scope
from dispatch.store.repository import PlanRepository, TicketRepository
from tests.store import builders
from tests.store.builders import CALLED_AT, URBAN

RACERS = 2
DAY = date(2026, 11, 23)


def test_same_expected_version_exactly_one_wins(
    engine: Engine, session: Session, office: Office
) -> None:
    ticket = TicketRepository(session).add(
        builders.draft(), deadline_at=CALLED_AT + timedelta(hours=6), **URBAN
    )
    session.commit()
    factory = session_factory(engine)
    start = threading.Barrier(RACERS)
    outcomes: list[str] = []

    def race() -> None:
        start.wait()
        try:
            with session_scope(factory) as own:
                TicketRepository(own).change_status(
                    ticket.id, TicketStatus.DISPATCHED, expected_version=1
                )
            outcomes.append("won")
        except StaleVersionError:
            outcomes.append("stale")

    threads = [threading.Thread(target=race) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["stale", "won"]
    session.expire_all()
    assert TicketRepository(session).get(ticket.id).version == 2


def test_loser_waits_for_the_winner_to_commit(
    engine: Engine, session: Session, office: Office
) -> None:
    """The winner holds its transaction open while the loser tries; the loser still loses."""
    ticket = TicketRepository(session).add(
        builders.draft(), deadline_at=CALLED_AT + timedelta(hours=6), **URBAN
    )
    session.commit()
    factory = session_factory(engine)
    loser_result: list[str] = []

    def lose() -> None:
        try:
            with session_scope(factory) as own:
                TicketRepository(own).change_status(
                    ticket.id, TicketStatus.CANCELLED, expected_version=1
                )
            loser_result.append("won")
        except StaleVersionError:
            loser_result.append("stale")

    with session_scope(factory) as winner:
        TicketRepository(winner).change_status(
            ticket.id, TicketStatus.DISPATCHED, expected_version=1
        )
        loser = threading.Thread(target=lose)
        loser.start()
        loser.join(timeout=0.3)
        still_waiting = loser.is_alive()
    loser.join(timeout=30)

    assert still_waiting, "the loser should wait for the winner's lock"

    assert loser_result == ["stale"]
    session.expire_all()
    assert TicketRepository(session).get(ticket.id).status is TicketStatus.DISPATCHED


def test_concurrent_plan_saves_of_one_day_conflict(engine: Engine, session: Session) -> None:
    """Both saves compute version 1; the unique (scope, day, version) rejects the second."""
    factory = session_factory(engine)
    second_result: list[str] = []

    def save_second() -> None:
        try:
            with session_scope(factory) as own:
                PlanRepository(own).add(["BJ"], DAY, visits=[])
            second_result.append("saved")
        except ConflictError:
            second_result.append("conflict")

    with session_scope(factory) as first:
        PlanRepository(first).add(["BJ"], DAY, visits=[])
        second = threading.Thread(target=save_second)
        second.start()
        second.join(timeout=0.3)
    second.join(timeout=30)

    assert second_result == ["conflict"]
    assert PlanRepository(session).latest(["BJ"], DAY) is not None
