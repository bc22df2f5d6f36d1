"""The best plan we can find for a field day with far more time: the reference of a day.

For each case and day seed: deterministic starts (OR-Tools and the day in parts, each
bounded by a solution count, and the empty plan), then long ruin-and-recreate runs
counted in moves (so the result does not depend on the machine's load): both of the
product's recreate mixes, several search seeds, each run restarting from its best plan
after a stall; then the best plan is polished by more runs from it. The best plan per day
must pass ``solver.validate`` with no hard violation; it is written with its routes, so
anyone can re-time and re-score it (``bench/field_days.py --reference FILE``).

    .venv/bin/python bench/reference.py --cases normal,storm,peak --seeds 1,2 \\
        --moves 30000 --out bench/results/reference-20261130.json
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import replace
from pathlib import Path

from scenarios import case_problem  # bench/ is on sys.path when run as a script

from solver import Problem, Solution, SolveParams
from solver.decompose import solve_in_parts
from solver.ranking import best_of
from solver.ruin import RuinRecreate
from solver.search import allowed_for, empty_solution, solve_ortools
from solver.tuning import RuinTuning
from solver.validate import hard, objective, validate

MIXES: dict[str, RuinTuning] = {
    "mix": RuinTuning(),
    "greedy 15": replace(RuinTuning(), greedy_share=1.0, avg_removed=15),
}


def starts(problem: Problem) -> dict[str, Solution]:
    """Deterministic first plans: OR-Tools, the day in parts, nobody moves."""
    params = SolveParams(time_limit_s=120, workers=1, solution_limit=50)
    plans = {"ortools": solve_ortools(problem, params), "empty": empty_solution(problem, 0.0)}
    plans["parts"] = solve_in_parts(problem, params)
    return plans


def search(problem: Problem, start: Solution, mix: str, seed: int, moves: int) -> Solution:
    allowed = allowed_for(problem, SolveParams(time_limit_s=60, workers=1))
    return RuinRecreate(problem, allowed, seed, MIXES[mix]).run(start, 1e6, moves)


def best_plan(
    problem: Problem, moves: int, seeds: list[int], log: list[dict[str, object]]
) -> Solution:
    """The best of every start x mix x seed run, then polished from the best."""
    found: list[Solution] = []
    for name, start in starts(problem).items():
        for mix in MIXES:
            for seed in seeds:
                began = time.process_time()
                plan = search(problem, start, mix, seed, moves)
                found.append(plan)
                log.append(_entry(problem, plan, f"{name} / {mix} / seed {seed}", began))
    for mix in MIXES:
        for seed in seeds:
            began = time.process_time()
            start = best_of(problem, found)
            assert start is not None
            plan = search(problem, start, mix, 100 + seed, moves)
            found.append(plan)
            log.append(_entry(problem, plan, f"polish / {mix} / seed {100 + seed}", began))
    best = best_of(problem, found)
    assert best is not None
    return best


def _entry(problem: Problem, plan: Solution, how: str, began: float) -> dict[str, object]:
    entry = {
        "run": how,
        "objective": objective(problem, plan),
        "unassigned": len(plan.unassigned),
        "cpu_s": round(time.process_time() - began, 1),
        "load_1m": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(entry), flush=True)
    return entry


def stored(
    problem: Problem, plan: Solution, moves: int, log: list[dict[str, object]]
) -> dict[str, object]:
    violations = hard(validate(problem, plan))
    if violations:
        raise SystemExit(f"reference plan breaks hard rules: {violations[:3]}")
    return {
        "objective": objective(problem, plan),
        "unassigned_count": len(plan.unassigned),
        "hard": 0,
        "source": f"bench/reference.py, {moves} moves a run",
        "routes": {r.vehicle_id: list(r.job_ids) for r in plan.routes if r.job_ids},
        "unassigned": list(plan.unassigned),
        "runs": log,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", default="normal,storm,peak")
    parser.add_argument("--seeds", default="1,2", help="day seeds")
    parser.add_argument("--search-seeds", default="0,1,2")
    parser.add_argument("--moves", type=int, default=30000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.out.exists():
        raise SystemExit(f"{args.out} exists: results are never overwritten")
    search_seeds = [int(s) for s in args.search_seeds.split(",")]
    result: dict[str, object] = {}
    for day_seed in (int(s) for s in args.seeds.split(",")):
        for case in args.cases.split(","):
            problem = case_problem(case, day_seed).problem
            log: list[dict[str, object]] = []
            plan = best_plan(problem, args.moves, search_seeds, log)
            result[f"{case}:{day_seed}"] = stored(problem, plan, args.moves, log)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(result, indent=1))
            print(f"{case}:{day_seed} -> {objective(problem, plan)}", flush=True)


if __name__ == "__main__":
    main()
