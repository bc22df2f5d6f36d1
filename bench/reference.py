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
    .venv/bin/python bench/reference.py --cases storm --seeds 2 --moves 80000 \\
        --starts empty,parts --mixes "mix,greedy 15" --search-seeds 0,1 \\
        --continue bench/results/reference-20261130-h15.json --out F

``--continue FILE`` (repeatable) adds the plans stored in earlier reference files to the
plans found, so the polishing runs start from the best of them all. Session 6's files
also used the mixes "adaptive wide" and "forced 0.2 restart 200", whose removals were
deleted since (they run at commit 5423402), as were the adapted removal weights.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from scenarios import case_problem  # bench/ is on sys.path when run as a script

from solver import Problem, Solution, SolveParams
from solver.decompose import solve_in_parts
from solver.ranking import best_of
from solver.routes_eval import RouteEvaluator
from solver.ruin import RuinRecreate
from solver.search import allowed_for, empty_solution, solve_ortools
from solver.solution import SolveStats
from solver.tuning import RuinTuning
from solver.validate import hard, objective, validate

MIXES: dict[str, RuinTuning] = {
    "mix": RuinTuning(),
    "greedy 15": replace(RuinTuning(), greedy_share=1.0, avg_removed=15),
}


def starts(problem: Problem, names: list[str]) -> dict[str, Solution]:
    """Deterministic first plans among: OR-Tools, the day in parts, nobody moves."""
    params = SolveParams(time_limit_s=120, workers=1, solution_limit=50)
    plans = {}
    for name in names:
        if name == "ortools":
            plans[name] = solve_ortools(problem, params)
        elif name == "parts":
            plans[name] = solve_in_parts(problem, params)
        elif name == "empty":
            plans[name] = empty_solution(problem, 0.0)
        else:
            raise SystemExit(f"unknown start {name!r}")
    return plans


def stored_plan(problem: Problem, stored: dict[str, Any]) -> Solution | None:
    """A plan stored by this script (routes by engineer, jobs left out), re-timed."""
    evaluator = RouteEvaluator(problem)
    positions = problem.job_positions()
    index = {v.id: i for i, v in enumerate(problem.vehicles)}
    routes = []
    for vehicle_id, job_ids in stored["routes"].items():
        route = evaluator.route(index[vehicle_id], tuple(positions[j] for j in job_ids))
        if route is None:
            return None
        routes.append(route)
    stats = SolveStats(0, 0.0, "reference", "stored")
    return Solution(tuple(routes), tuple(stored["unassigned"]), stats)


def search(problem: Problem, start: Solution, mix: str, seed: int, moves: int) -> Solution:
    allowed = allowed_for(problem, SolveParams(time_limit_s=60, workers=1))
    return RuinRecreate(problem, allowed, seed, MIXES[mix]).run(start, 1e6, moves)


@dataclass(frozen=True)
class Plan:
    """What runs build one reference: starts, mixes, search seeds, earlier plans."""

    moves: int
    seeds: list[int]
    starts: list[str]
    mixes: list[str]
    polish_seeds: list[int]
    earlier: list[Solution]


def best_plan(problem: Problem, how: Plan, log: list[dict[str, object]]) -> Solution:
    """The best of every start x mix x seed run and earlier plans, then polished."""
    moves, seeds = how.moves, how.seeds
    found: list[Solution] = []
    for plan in how.earlier:
        began = time.process_time()
        found.append(plan)
        log.append(_entry(problem, plan, f"earlier / {plan.stats.status}", began))
    for name, start in starts(problem, how.starts).items():
        for mix in how.mixes:
            for seed in seeds:
                began = time.process_time()
                plan = search(problem, start, mix, seed, moves)
                found.append(plan)
                log.append(_entry(problem, plan, f"{name} / {mix} / seed {seed}", began))
    for mix in how.mixes:
        for seed in how.polish_seeds:
            began = time.process_time()
            best_yet = best_of(problem, found)
            assert best_yet is not None
            plan = search(problem, best_yet, mix, seed, moves)
            found.append(plan)
            log.append(_entry(problem, plan, f"polish / {mix} / seed {seed}", began))
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
    problem: Problem,
    plan: Solution,
    moves: int,
    log: list[dict[str, object]],
    source: str | None = None,
) -> dict[str, object]:
    """A plan as reference files keep it (``stored_plan`` reads it back); hard rules kept."""
    violations = hard(validate(problem, plan))
    if violations:
        raise SystemExit(f"reference plan breaks hard rules: {violations[:3]}")
    return {
        "objective": objective(problem, plan),
        "unassigned_count": len(plan.unassigned),
        "hard": 0,
        "source": source or f"bench/reference.py, {moves} moves a run",
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
    parser.add_argument("--starts", default="ortools,empty,parts")
    parser.add_argument("--mixes", default="mix,greedy 15", help=f"of {', '.join(MIXES)}")
    parser.add_argument("--polish-seeds", default="100,101,102")
    parser.add_argument("--continue", dest="earlier", type=Path, action="append", default=[])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.out.exists():
        raise SystemExit(f"{args.out} exists: results are never overwritten")
    search_seeds = [int(s) for s in args.search_seeds.split(",")]
    mixes = args.mixes.split(",")
    unknown = [m for m in mixes if m not in MIXES]
    if unknown:
        raise SystemExit(f"unknown mixes {unknown}")
    result: dict[str, object] = {}
    for day_seed in (int(s) for s in args.seeds.split(",")):
        for case in args.cases.split(","):
            problem = case_problem(case, day_seed).problem
            log: list[dict[str, object]] = []
            earlier = []
            for path in args.earlier:
                kept = json.loads(path.read_text()).get(f"{case}:{day_seed}")
                plan = None if kept is None else stored_plan(problem, kept)
                if plan is not None:
                    earlier.append(replace(plan, stats=replace(plan.stats, status=path.name)))
            how = Plan(
                moves=args.moves,
                seeds=search_seeds,
                starts=args.starts.split(","),
                mixes=mixes,
                polish_seeds=[int(s) for s in args.polish_seeds.split(",")],
                earlier=earlier,
            )
            plan = best_plan(problem, how, log)
            result[f"{case}:{day_seed}"] = stored(problem, plan, args.moves, log)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(result, indent=1))
            print(f"{case}:{day_seed} -> {objective(problem, plan)}", flush=True)


if __name__ == "__main__":
    main()
