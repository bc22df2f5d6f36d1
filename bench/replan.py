"""Emergency re-plan of a running day, solver and services only (no HTTP).

Seeds the ``normal`` day in a scratch SQLite store, plans and publishes the scope, puts
the first engineer of each route on site at 10:00, adds one urgent call at 10:20, and
re-plans from 10:30 with each time limit. Reports the wall time of ``replan`` (store
reads, problem build, solve, validation, store write), whether the urgent job is served
on time, and how many engineers' next stops changed.

    .venv/bin/python bench/replan.py --scope region:East --seconds 1,1.5,2
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from dispatch.domain import GeoPoint, TicketDraft, TicketStatus
from dispatch.services.intake import register_ticket
from dispatch.services.planning import plan_day
from dispatch.services.replanning import replan
from dispatch.services.seeding import seed
from dispatch.store.database import make_engine, session_factory
from dispatch.store.migrate import upgrade
from dispatch.store.repository import OfficeRepository, PlanRepository, TicketRepository
from solver import SolveParams

DAY = date(2026, 11, 23)
ZONE = ZoneInfo("Asia/Shanghai")


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=ZONE)


def _running_day(session: Session, scope: str) -> int:
    """Plan and publish the day; each route's first stop is being worked on since 10:00."""
    plan = plan_day(session, scope=scope, day=DAY, params=SolveParams(time_limit_s=5, seed=7))
    PlanRepository(session).publish(plan.id)
    tickets = TicketRepository(session)
    firsts = {v.engineer_id: v for v in sorted(plan.visits, key=lambda v: -v.sequence)}
    for visit in plan.visits:
        tickets.change_status(visit.ticket_id, TicketStatus.DISPATCHED)
    for visit in firsts.values():
        tickets.change_status(visit.ticket_id, TicketStatus.EN_ROUTE, at=_at(9, 30))
        tickets.change_status(visit.ticket_id, TicketStatus.ON_SITE, at=_at(10, 0))
    return plan.id


def _urgent(session: Session, office_code: str) -> int:
    office = OfficeRepository(session).get(office_code)
    site = GeoPoint(office.location.latitude + 0.03, office.location.longitude + 0.02)
    draft = TicketDraft(
        office_code=office_code,
        customer="Emergency: hospital data centre",
        site=site,
        called_at=_at(10, 20),
        product_line="ups-power",
        fault="UPS on battery, mains lost",
        emergency=True,
    )
    return register_ticket(session, draft).id


def measure(scope: str, office_code: str, seconds: float) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        upgrade(url)
        engine = make_engine(url)
        with session_factory(engine)() as session:
            seed(session, scenario="normal", day=DAY, seed=7)
            _running_day(session, scope)
            urgent = _urgent(session, office_code)
            session.commit()
            started = time.perf_counter()
            report = replan(
                session,
                scope=scope,
                day=DAY,
                as_of=_at(10, 30),
                params=SolveParams(time_limit_s=seconds, seed=7),
            )
            wall = time.perf_counter() - started
            served = [v for v in report.plan.visits if v.ticket_id == urgent]
        engine.dispose()
    return {
        "scope": scope,
        "seconds": seconds,
        "wall_s": round(wall, 2),
        "urgent_served": bool(served),
        "urgent_on_time": bool(served and served[0].on_time),
        "changed_engineers": len(report.changed_engineers),
        "engineers": len(report.plan.kpis.get("engineers", {})),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="emergency re-plan timing")
    parser.add_argument("--scope", default="region:East")
    parser.add_argument("--office", default="SH", help="where the urgent call comes from")
    parser.add_argument("--seconds", default="1,1.5,2")
    args = parser.parse_args()
    for seconds in (float(s) for s in args.seconds.split(",")):
        print(json.dumps(measure(args.scope, args.office, seconds)), flush=True)


if __name__ == "__main__":
    main()
