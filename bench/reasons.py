"""The reasons of a field day's plan: how many of each, how long explaining takes, and how
the exact timing used to check them compares with the planner's own timing.

For each case: build the day (``bench/scenarios.py``), solve it, explain it, and re-time
every route of the plan with ``solver.explain_timing`` (same jobs, same order): the
re-timing is counted equal, cheaper or dearer than the planner's (timing cost: span,
overtime, lateness), with the largest difference each way.

    .venv/bin/python bench/reasons.py --cases normal,storm,peak --seconds 5 \
        --out bench/results/reasons-YYYYmmdd.json
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

from scenarios import case_problem

from solver import Problem, Solution, SolveParams, explain, solve
from solver.explain_timing import best_timing, latest_departure, timing_cost


def _retiming(problem: Problem, solution: Solution) -> dict[str, int]:
    """Routes the exact timing makes equal / cheaper / dearer, and the largest gaps."""
    vehicles = {v.id: v for v in problem.vehicles}
    counts = {"equal": 0, "cheaper": 0, "dearer": 0, "most_saved": 0, "most_lost": 0}
    for route in solution.routes:
        vehicle, jobs = vehicles[route.vehicle_id], [problem.job(j) for j in route.job_ids]
        timed = best_timing(problem, vehicle, jobs)
        if timed is None:
            continue
        timed = latest_departure(problem, vehicle, jobs, timed)
        gap = timing_cost(problem, vehicle, jobs, timed) - timing_cost(
            problem, vehicle, jobs, route
        )
        counts["equal" if gap == 0 else "cheaper" if gap < 0 else "dearer"] += 1
        counts["most_saved"] = max(counts["most_saved"], -gap)
        counts["most_lost"] = max(counts["most_lost"], gap)
    return counts


def run_case(case: str, seconds: float, seed: int) -> dict[str, Any]:
    problem = case_problem(case, seed).problem
    solution = solve(problem, SolveParams(time_limit_s=seconds, seed=seed))
    started = time.perf_counter()
    reasons = explain(problem, solution, seconds_per_unit=60.0)
    return {
        "case": case,
        "seconds": seconds,
        "reasons": len(reasons),
        "explain_s": round(time.perf_counter() - started, 2),
        "codes": dict(Counter(r.code for r in reasons.values())),
        "retiming": _retiming(problem, solution),
        "load_1m": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--cases", default="normal,storm,peak")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rows = [run_case(case, args.seconds, args.seed) for case in args.cases.split(",")]
    for row in rows:
        print(json.dumps(row))
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
