"""A large day solved in parts on parts workers: wall time with 1 and 2 workers.

Usage (from the repository root; RabbitMQ at BROKER_URL)::

    .venv/bin/python bench/parts_queue.py --case 4000x20000 --workers 1,2 \
        --solution-limit 10 --outline --out bench/results/parts-queue-YYYYMMDD.json

Builds the scale day ``--case`` (engineers x jobs) as ``bench/scenarios.py`` does, then
for each worker count starts that many ``dispatch worker --queues parts`` processes
(concurrency 1, a private queue prefix) and solves the day in parts through them
(``dispatch.tasks.parts.QueueParts``), as a plan job's worker does. The solve is
deterministic (``--solution-limit`` per part, a time limit that never binds), so every
worker count must give the same plan and the wall time is the work divided among the
workers. Reported: split, parts, stitch (repair and re-timing) and validate time, the
objective and the load average. ``--local`` adds the same solve in this process (no queue).

The product refuses a day of more than 6,000 places or 1,000 engineers as one plan
(``dispatch.services.problem_builder``); this benchmark lifts those limits to measure
the parts path: the travel matrices of a 20,000-job day take 6.4 GiB in the solver's
problem (9.6 GiB while building). ``--outline`` builds the day as an outline instead
(``solver.outline``, as the product does with parts workers): no n x n matrix, each part
fills in its own where it is solved. Peak RSS of this process is reported after the build
and at the end. Measurements, not tests: nothing here runs in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from scenarios import case_problem  # bench/ is the script's directory

from dispatch.services import problem_builder
from dispatch.settings import Settings
from dispatch.tasks.app import make_celery
from dispatch.tasks.parts import QueueParts
from solver import Problem, SolveParams, validate
from solver.decompose import solve_in_parts
from solver.validate import hard

SEED = 7


def build(case: str, outline: bool) -> tuple[Problem, float]:
    """The day, with the full matrices or (``outline``, whatever its size) as an outline."""
    problem_builder.MAX_PLACES = 0 if outline else 10**6  # type: ignore[misc]
    problem_builder.MAX_ENGINEERS = 0 if outline else 10**6  # type: ignore[misc]
    problem_builder.MAX_OUTLINE_PLACES = 10**6  # type: ignore[misc]
    problem_builder.MAX_OUTLINE_ENGINEERS = 10**6  # type: ignore[misc]
    problem_builder.OUTLINE_FROM_JOBS = 0  # type: ignore[misc]
    started = time.perf_counter()
    problem = case_problem(case, SEED, large_days=outline).problem
    return problem, time.perf_counter() - started


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def start_workers(settings: Settings, count: int, log_dir: Path) -> list[subprocess.Popen[bytes]]:
    env = os.environ | {"BROKER_URL": settings.broker_url, "QUEUE_PREFIX": settings.queue_prefix}
    command = [str(Path(sys.executable).parent / "dispatch"), "worker", "--queues=parts"]
    processes = []
    for n in range(count):
        with (log_dir / f"parts-{count}-{n}.log").open("wb") as out:
            processes.append(
                subprocess.Popen(
                    [*command, f"--name=p{n}-{settings.queue_prefix}@bench"],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    return processes


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def measure(problem: Problem, params: SolveParams, label: str, workers: int) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    plan = solve_in_parts(problem, params)
    solved = time.perf_counter() - started
    checked = time.perf_counter()
    violations = hard(validate(problem, plan))
    details = plan.stats.details
    row = {
        "run": label,
        "workers": workers,
        "wall_s": round(solved, 1),
        "split_s": round(details["split_s"], 1),
        "parts_s": round(details["parts_s"], 1),
        "stitch_s": round(details["repair_s"], 1),
        "validate_s": round(time.perf_counter() - checked, 1),
        "parts": int(details["parts"]),
        "largest_part": int(details["largest_part"]),
        "objective": plan.stats.objective,
        "assigned": sum(len(r.stops) for r in plan.routes),
        "unassigned": len(plan.unassigned),
        "hard_violations": len(violations),
        "load_1m_before": round(load_before, 2),
        "load_1m_after": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(row), flush=True)
    return row


def on_workers(problem: Problem, params: SolveParams, count: int, log_dir: Path) -> dict[str, Any]:
    settings = Settings(queue_prefix=f"bench-parts-{secrets.token_hex(3)}")
    parts = QueueParts(make_celery(settings), settings)
    processes = start_workers(settings, count, log_dir)
    try:
        while parts.workers() < count:
            time.sleep(0.2)
        return measure(problem, replace(params, parts=parts), "queue", count)
    finally:
        stop(processes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--case", default="4000x20000")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--solution-limit", type=int, default=10)
    parser.add_argument("--local", action="store_true")
    parser.add_argument("--outline", action="store_true", help="build the day as an outline")
    parser.add_argument("--log-dir", type=Path, default=Path("/tmp/parts-queue-bench"))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    args.log_dir.mkdir(parents=True, exist_ok=True)
    problem, build_s = build(args.case, args.outline)
    built_rss = peak_rss_mib()
    print(json.dumps({"case": args.case, "jobs": len(problem.jobs), "build_s": build_s}))
    params = SolveParams(time_limit_s=3600.0, workers=1, solution_limit=args.solution_limit)
    rows = [on_workers(problem, params, int(n), args.log_dir) for n in args.workers.split(",")]
    if args.local:
        rows.append(measure(problem, params, "in process", 1))
    result = {
        "case": args.case,
        "jobs": len(problem.jobs),
        "engineers": len(problem.vehicles),
        "outline": args.outline,
        "build_s": round(build_s, 1),
        "peak_rss_mib_after_build": round(built_rss),
        "peak_rss_mib": round(peak_rss_mib()),
        "solution_limit": args.solution_limit,
        "rows": rows,
    }
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
