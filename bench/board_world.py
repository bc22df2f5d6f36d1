"""A demo world served by a real ``dispatch serve``, for the page screenshots and timings.

``board_world(engineers=None, jobs=None)`` migrates a throwaway SQLite database (or uses
``DATABASE_URL``), seeds the ``normal`` day (or, with ``engineers``/``jobs``, a synthetic
large day), plans and publishes it, adds one more unpublished version so the plan
comparison has something to show, makes one user per role and yields it all while the
server runs. The server is stopped on exit.
"""

from __future__ import annotations

import os
import random
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from dispatch.domain import Engineer, GeoPoint, Plan, TicketDraft, Visit
from dispatch.services.auth import create_user
from dispatch.services.intake import Intake
from dispatch.services.planning import plan_day
from dispatch.services.publishing import publish_plan
from dispatch.services.seeding import seed
from dispatch.store.database import make_engine, session_factory
from dispatch.store.migrate import upgrade
from dispatch.store.repository import EngineerRepository, OfficeRepository, PlanRepository
from dispatch.store.users import Role
from solver import SolveParams
from tests.api.live_server import live_server

DAY = date(2026, 11, 23)
ENV = {
    "RATE_LIMIT_PER_ADDRESS": "100000",
    "RATE_LIMIT_PER_TOKEN": "100000",
    "RATE_LIMIT_FAILED_AUTH": "100000",
    "SOLVE_SECONDS_DEFAULT": "2",
}


@dataclass
class BoardWorld:
    base: str
    tokens: dict[str, str]
    """Role (and ``engineer``) -> token."""
    engineer_id: str
    published: int
    candidate: int


def _large_day(session: object, engineers: int, jobs: int) -> Plan:
    """A synthetic day of ``jobs`` visits over ``engineers`` engineers, stored directly:
    what the board must draw, without solving a problem of that size first."""
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    seed(session, scenario="normal", day=DAY, seed=7)
    offices = OfficeRepository(session).list()
    repository = EngineerRepository(session)
    rng = random.Random(3)
    staff = []
    for n in range(engineers):
        office = offices[n % len(offices)]
        engineer = Engineer(
            f"L{n:03d}", f"工程师{n:03d}", office.code, frozenset({"video-surveillance"})
        )
        repository.upsert(engineer)
        staff.append((engineer, office))
    intake = Intake(session)
    visits = []
    per_engineer = jobs // engineers
    for n, (engineer, office) in enumerate(staff):
        zone = office.calendar.zone()
        clock = datetime.combine(DAY, time(8, 30), zone)
        for k in range(per_engineer + (1 if n < jobs % engineers else 0)):
            ticket = intake.register(
                TicketDraft(
                    office_code=office.code,
                    customer=f"客户{n:03d}-{k:02d}",
                    site=GeoPoint(
                        office.location.latitude + rng.uniform(-0.3, 0.3),
                        office.location.longitude + rng.uniform(-0.3, 0.3),
                    ),
                    called_at=datetime.combine(DAY, time(7, 0), zone),
                    product_line="video-surveillance",
                    fault="无图像",
                    onsite_minutes=50,
                )
            )
            travel = rng.randint(10, 40)
            arrival = clock + timedelta(minutes=travel)
            departure = arrival + timedelta(minutes=50)
            visits.append(
                Visit(
                    ticket.id,
                    engineer.id,
                    k + 1,
                    arrival,
                    departure,
                    ticket.deadline,
                    travel,
                    travel * 0.8,
                )
            )
            clock = departure if k != 3 else departure + timedelta(hours=1)
    plan = PlanRepository(session).add(["ALL"], DAY, visits=visits)
    return plan


@contextmanager
def board_world(engineers: int | None = None, jobs: int | None = None) -> Iterator[BoardWorld]:
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(folder) / 'board.sqlite3'}"
        upgrade(url)
        engine = make_engine(url)
        with session_factory(engine)() as session:
            if engineers and jobs:
                published = _large_day(session, engineers, jobs)
                publish_plan(session, published.id)
                candidate = published
            else:
                seed(session, scenario="normal", day=DAY, seed=7)
                params = SolveParams(time_limit_s=3.0, seed=1)
                published = plan_day(session, scope="ALL", day=DAY, params=params)
                publish_plan(session, published.id)
                candidate = plan_day(
                    session, scope="ALL", day=DAY, params=SolveParams(time_limit_s=2.0, seed=2)
                )
            engineer_id = next(v.engineer_id for v in published.visits)
            tokens = {}
            for role in (Role.DISPATCHER, Role.EMERGENCY):
                offices = ["SH"] if role is Role.DISPATCHER else []
                _, tokens[role.value] = create_user(
                    session, name=f"演示 {role.value}", role=role, offices=offices
                )
            _, tokens["engineer"] = create_user(
                session, name="演示工程师", role=Role.ENGINEER, engineer_id=engineer_id
            )
            session.commit()
        engine.dispose()
        with live_server(url, ENV) as base:
            yield BoardWorld(base, tokens, engineer_id, published.id, candidate.id)
