"""Which first plan a worker's ruin and recreate should start from, counted in moves.

``bench/spread.py`` starts every run from nobody moving. A field-day solve of
``own_start_below_s`` seconds or more starts this process from the day in parts and the
second worker from OR-Tools (local cheapest insertion); those first plans cost time that
nobody moving gives to moves. This runs ruin and recreate from a chosen start with a
fixed number of moves per search seed (deterministic: the starts are bounded by a
solution count), so a start can be compared with nobody moving at the moves each leaves.

    .venv/bin/python bench/lineup.py --start parts --moves 80000 --variants base
    .venv/bin/python bench/lineup.py --start ortools-other --moves 75000 \\
        --variants "second worker" --days storm:1,peak:7
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from scenarios import case_problem  # bench/ is on sys.path when run as a script
from spread import DAYS, REFERENCE, VARIANTS, summary

from solver import Problem, Solution, SolveParams
from solver.decompose import solve_in_parts
from solver.ruin import RuinRecreate
from solver.search import allowed_for, empty_solution, solve_ortools
from solver.validate import hard, objective, validate

#: Each start's place in a 10 s solve: this process's (parts) and the second worker's.
STARTS = ("empty", "parts", "ortools", "ortools-other")


def first_plan(problem: Problem, start: str) -> Solution:
    """A deterministic first plan (OR-Tools and the parts bounded by 50 solutions)."""
    params = SolveParams(time_limit_s=120, workers=1, solution_limit=50)
    if start == "parts":
        return solve_in_parts(problem, params)
    if start == "ortools":
        return solve_ortools(problem, params)
    if start == "ortools-other":
        return solve_ortools(problem, params.tuned(first_solution="LOCAL_CHEAPEST_INSERTION"))
    return empty_solution(problem, 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--days", default=DAYS)
    parser.add_argument("--start", choices=STARTS, default="parts")
    parser.add_argument("--moves", type=int, default=80000)
    parser.add_argument("--variants", default="base")
    parser.add_argument("--seeds", default="0,1,2,3,4,5")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.out and args.out.exists():
        raise SystemExit(f"{args.out} exists: results are never overwritten")
    rows: list[dict[str, object]] = []
    for day in args.days.split(","):
        case, day_seed = day.split(":")
        problem = case_problem(case, int(day_seed)).problem
        allowed = allowed_for(problem, SolveParams(time_limit_s=60, workers=1))
        start = first_plan(problem, args.start)
        for variant in args.variants.split(","):
            for seed in (int(s) for s in args.seeds.split(",")):
                began = time.process_time()
                search = RuinRecreate(problem, allowed, seed, VARIANTS[variant])
                plan = search.run(start, 1e6, args.moves)
                rows.append(
                    {
                        "day": day,
                        "variant": variant,
                        "start": args.start,
                        "start_objective": objective(problem, start),
                        "seed": seed,
                        "moves": args.moves,
                        "objective": objective(problem, plan),
                        "unassigned": len(plan.unassigned),
                        "hard_violations": len(hard(validate(problem, plan))),
                        "cpu_s": round(time.process_time() - began, 2),
                        "load_1m": round(os.getloadavg()[0], 2),
                    }
                )
                print(json.dumps(rows[-1]), flush=True)
    print("\n".join(summary(rows)))
    print(f"references: {json.dumps({d: REFERENCE[d] for d in args.days.split(',')})}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
