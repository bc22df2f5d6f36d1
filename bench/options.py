"""How fast an arrival promise comes back at intake (``POST /tickets/{id}/options``).

For each case: load the organisation and the day's calls into a fresh store, plan the
day and publish the plan, then register new calls one at a time during the day and time
``arrival_options`` for each, end to end (reading the published plan and the tickets
from the store, the travel matrix, the insertion search, the repair). Reports p50, p95
and the slowest call in milliseconds of wall time and of this process's CPU time (the
wall time an idle machine would show: the call runs on one thread), with the load
average, and checks every option with the independent validator.

    .venv/bin/python bench/options.py --cases normal --calls 40
    .venv/bin/python bench/options.py --cases 300x5000 --calls 20

The ``normal`` plan is solved for ``--seconds`` (default 10); the 300x5000 day is planned
by the greedy plan alone (OR-Tools finds no first solution for it in useful time,
docs/solver.md): its routes are what a dispatcher would have published, not the best.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from dispatch.domain import Engineer, Office, TicketDraft
from dispatch.services.arrival_options import arrival_options, fitting
from dispatch.services.intake import Intake
from dispatch.services.planning import load_planning_problem, solve_plan, store_plan
from dispatch.services.publishing import publish_plan
from dispatch.store.database import make_engine, session_factory
from dispatch.store.migrate import upgrade
from dispatch.store.repository import EngineerRepository, OfficeRepository
from fixtures.generator import generate_day, scale
from fixtures.organisation import ENGINEERS, OFFICES
from solver import SolveParams
from solver.insertion import Insertion
from solver.validate import hard, validate

DAY = date(2026, 11, 23)
ZONE = ZoneInfo("Asia/Shanghai")
OPEN, CLOSE = clock(9, 30), clock(16)


def _world(case: str, seed: int) -> tuple[list[Office], list[Engineer], list[TicketDraft]]:
    if case == "normal":
        return list(OFFICES), list(ENGINEERS), generate_day("normal", DAY, seed)
    engineers, jobs = (int(n) for n in case.split("x"))
    return scale(engineers, jobs, DAY, seed)


def _new_calls(case: str, count: int, seed: int) -> list[TicketDraft]:
    """Calls made during the day after the plan was published, spread over the offices."""
    _, _, drafts = _world(case if case == "normal" else "300x600", seed + 1000)
    daytime = [d for d in drafts if OPEN <= d.called_at.astimezone(ZONE).time() <= CLOSE]
    return [replace(d, source_ref=f"bench-options:{i}") for i, d in enumerate(daytime[:count])]


def _load(session: Session, case: str, seed: int, seconds: float) -> int:
    offices, engineers, drafts = _world(case, seed)
    for office in offices:
        OfficeRepository(session).upsert(office)
    for engineer in engineers:
        EngineerRepository(session).upsert(engineer)
    intake = Intake(session)
    for draft in drafts:
        intake.register(draft)
    codes, planning = load_planning_problem(session, scope="ALL", day=DAY)
    params = SolveParams(time_limit_s=seconds, workers=1)
    if len(planning.problem.jobs) >= params.greedy_only_size:
        params = replace(params, decompose_size=10**9)
    draft, _ = solve_plan(planning, scope=codes, day=DAY, params=params)
    plan = store_plan(session, draft)
    publish_plan(session, plan.id)
    session.commit()
    return len(drafts)


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_case(case: str, *, calls: int, seed: int, seconds: float, url: str) -> dict[str, object]:
    upgrade(url)
    factory = session_factory(make_engine(url))
    with factory() as session:
        started = time.perf_counter()
        jobs = _load(session, case, seed, seconds)
        setup_s = time.perf_counter() - started
        timings, cpu, offered, invalid, on_time = [], [], 0, 0, 0
        intake = Intake(session)
        for draft in _new_calls(case, calls, seed):
            ticket = intake.register(draft)
            session.commit()
            begin, begin_cpu = time.perf_counter(), time.process_time()
            report = arrival_options(session, ticket.id, count=3)
            timings.append((time.perf_counter() - begin) * 1000.0)
            cpu.append((time.process_time() - begin_cpu) * 1000.0)
            offered += bool(report.options)
            on_time += bool(report.options) and report.options[0].on_time
            fit = fitting(session, ticket, report.plan)
            for option in report.options:
                assert fit.plan is not None
                found = fit.plan.with_insertion(fit.job_id, Insertion.parse(option.key))
                invalid += found is None or bool(hard(validate(fit.plan.problem, found.solution)))
    return {
        "case": case,
        "jobs": jobs,
        "calls": len(timings),
        "setup_s": round(setup_s, 1),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(_percentile(timings, 0.95), 1),
        "max_ms": round(max(timings), 1),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "cpu_p95_ms": round(_percentile(cpu, 0.95), 1),
        "calls_with_options": offered,
        "best_option_on_time": on_time,
        "options_breaking_a_hard_rule": invalid,
        "load_1m": round(os.getloadavg()[0], 2),
        "when": datetime.now(ZONE).isoformat(timespec="seconds"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="normal", help="normal and/or NxM, comma-separated")
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=None, help="write the rows as JSON here")
    args = parser.parse_args()
    rows = []
    for case in args.cases.split(","):
        with tempfile.TemporaryDirectory() as folder:
            url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
            row = run_case(case, calls=args.calls, seed=args.seed, seconds=args.seconds, url=url)
        print(json.dumps(row), flush=True)
        rows.append(row)
    if args.out is not None:
        args.out.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
