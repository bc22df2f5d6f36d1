"""Racing publications of two versions never leave the older one in force.

The tickets are already dispatched (by an earlier version), so publishing moves no
ticket status and nothing but the version check stands between the two publications:
both read "nothing newer is published" unless the check and the publication are one
atomic step.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dispatch.domain import Visit
from dispatch.errors import ConflictError
from dispatch.services.publishing import publish_plan, published_route
from dispatch.store.database import session_factory, session_scope
from dispatch.store.repository import PlanRepository
from tests.api.conftest import DAY, add_ticket, load_organisation

ROUNDS = 12


def _publish(engine: Engine, plan_id: int, start: threading.Barrier, outcome: list[str]) -> None:
    start.wait()
    try:
        with session_scope(session_factory(engine)) as session:
            publish_plan(session, plan_id)
        outcome.append("published")
    except ConflictError:
        outcome.append("refused")


def test_racing_publications_never_put_an_older_version_in_force(
    engine: Engine, session: Session
) -> None:
    load_organisation(session)
    ticket = add_ticket(session)
    visits = [Visit(ticket.id, "E01", 1, ticket.deadline, ticket.deadline, ticket.deadline)]
    plans = PlanRepository(session)
    for round_ in range(ROUNDS):
        day = DAY + timedelta(days=round_)
        publish_plan(session, plans.add(["SH"], day, visits=visits).id)
        older, newer = (plans.add(["SH"], day, visits=visits) for _ in range(2))
        session.commit()
        start = threading.Barrier(2)
        outcomes: list[list[str]] = [[], []]
        racers = [
            threading.Thread(target=_publish, args=(engine, plan.id, start, outcome))
            for plan, outcome in zip((newer, older), outcomes, strict=True)
        ]
        for racer in racers:
            racer.start()
        for racer in racers:
            racer.join()
        assert outcomes[0] == ["published"], f"round {round_}"
        session.expire_all()
        assert published_route(session, "E01", day).plan_id == newer.id, f"round {round_}"
        assert outcomes[1] == ["refused"] or plans.get(older.id).published
