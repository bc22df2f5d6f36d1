"""How many moves each worker's ruin and recreate makes in a wall-clock ``solve()``.

``solve()`` returns only the winning plan; this wraps ``solver.engine._chosen`` to read
every candidate's engine, moves (``SolveStats.details["iterations"]``) and objective,
so the move counts a 3 s or 10 s solve reaches can be set beside ``bench/spread.py``'s
move-count measurements. Wall-clock figures: record the load (printed with each solve).

    .venv/bin/python bench/solve_moves.py peak:7:3 storm:7:3 peak:1:10 storm:1:10
"""

from __future__ import annotations

import json
import os
import sys
import time

from scenarios import case_problem  # bench/ is on sys.path when run as a script

import solver.engine as engine
from solver import Problem, Solution, SolveParams, solve
from solver.validate import objective

SEEN: list[list[tuple[str, float | None, int]]] = []
_CHOSEN = engine._chosen


def _chosen(problem: Problem, candidates: list[Solution], started: float) -> Solution:
    SEEN.append(
        [
            (c.stats.engine, c.stats.details.get("iterations"), objective(problem, c))
            for c in candidates
        ]
    )
    return _CHOSEN(problem, candidates, started)


def main() -> None:
    engine._chosen = _chosen
    for spec in sys.argv[1:]:
        case, seed, seconds = spec.split(":")
        problem = case_problem(case, int(seed)).problem
        load = os.getloadavg()[0]
        began, cpu = time.perf_counter(), time.process_time()
        params = SolveParams(time_limit_s=float(seconds), seed=int(seed), workers=2)
        plan = solve(problem, params)
        row = {
            "day": f"{case}:{seed}",
            "seconds": float(seconds),
            "wall_s": round(time.perf_counter() - began, 2),
            "cpu_s_this_process": round(time.process_time() - cpu, 2),
            "objective": objective(problem, plan),
            "candidates (engine, moves, objective)": SEEN[-1],
            "load_1m": [round(load, 2), round(os.getloadavg()[0], 2)],
        }
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
