"""What each part of ruin and recreate buys: the same moves with one part changed at a time.

Each fixture day (seed 7) starts from the same OR-Tools plan (``solution_limit`` bounded,
so deterministic), then ruin and recreate makes ``--moves`` moves with each variant and the
same search seed. Reported: the objective reached, CPU seconds (``time.process_time``, less
sensitive to a loaded machine than the wall clock), route evaluations, and moves per CPU
second. A variant that changes the search path (removals, acceptance) is compared on the
objective after the same number of moves; one that only changes speed (bounds, prefix
reuse) must reach the same objective, faster.

    .venv/bin/python bench/ruin.py --cases normal,storm,peak --moves 1500
    .venv/bin/python bench/ruin.py --moves 10000 --seeds 0,1,2 --variants all,"regret only"
    .venv/bin/python bench/ruin.py --cases peak --moves 2000 --variants all --profile 15
    .venv/bin/python bench/ruin.py --cases peak,storm --start empty --moves 3000 --profile 25

``--start empty`` starts from nobody moving (what a short solve does) instead of OR-Tools'
plan; ``--day-seed`` picks the fixture day (7 unless told).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import pstats
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from scenarios import case_problem  # bench/ is on sys.path when run as a script

from solver import Solution, SolveParams
from solver.ruin import RuinRecreate
from solver.search import allowed_for, empty_solution, solve_ortools
from solver.tuning import RuinTuning
from solver.validate import hard, objective, validate

BASE = RuinTuning()
VARIANTS: dict[str, RuinTuning] = {
    "all": BASE,
    "python evaluator": replace(BASE, compiled=False),
    "python ruin": replace(BASE, compiled_ruin=False),
    "python glue": replace(BASE, compiled_move=False),
    "no bounds": replace(BASE, bounds=False, compiled=False),
    "no prefix reuse": replace(BASE, reuse_prefixes=False, compiled=False),
    "regret only 8 removed (before)": replace(BASE, greedy_share=0.0, avg_removed=8),
    "regret only": replace(BASE, greedy_share=0.0),
    "greedy only 15 removed (2nd worker)": replace(BASE, greedy_share=1.0, avg_removed=15),
    "strings only": replace(BASE, removals=(1.0, 0.0, 0.0)),
    "related only": replace(BASE, removals=(0.0, 1.0, 0.0)),
    "random only": replace(BASE, removals=(0.0, 0.0, 1.0)),
    "descent (no annealing)": replace(BASE, t0_share=0.0),
    "annealing T0 x0.3": replace(BASE, t0_share=0.3 * BASE.t0_share),
    "annealing T0 x3": replace(BASE, t0_share=3.0 * BASE.t0_share),
}


@dataclass(frozen=True)
class Row:
    case: str
    variant: str
    seed: int
    moves: int
    start_objective: int
    objective: int
    unassigned: int
    cpu_s: float
    evaluations: int
    moves_per_cpu_s: float
    hard_violations: int
    load_1m: float
    #: The plan's routes and jobs left out, hashed: equal digests, equal plans.
    plan_digest: str


def digest(plan: Solution) -> str:
    """A short hash of the plan's routes (vehicle, jobs) and of the jobs left out."""
    routes = sorted((r.vehicle_id, r.job_ids) for r in plan.routes if r.job_ids)
    text = repr((routes, sorted(plan.unassigned)))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", default="normal,storm,peak")
    parser.add_argument("--moves", type=int, default=1500)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--seeds", default="0", help="search seeds, one row each")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--profile", type=int, default=0, help="print cProfile's top N")
    parser.add_argument("--start", choices=("ortools", "empty"), default="ortools")
    parser.add_argument("--day-seed", type=int, default=7, help="the fixture day's seed")
    args = parser.parse_args()
    rows = []
    for case in args.cases.split(","):
        problem = case_problem(case, args.day_seed).problem
        params = SolveParams(time_limit_s=60, workers=1, solution_limit=50)
        if args.start == "empty":
            start = empty_solution(problem, 0.0)
        else:
            start = solve_ortools(problem, params)
        allowed = allowed_for(problem, params)
        runs = [(n, int(s)) for n in args.variants.split(",") for s in args.seeds.split(",")]
        for name, seed in runs:
            search = RuinRecreate(problem, allowed, seed, VARIANTS[name])
            profiler = cProfile.Profile() if args.profile else None
            began = time.process_time()
            if profiler:
                profiler.enable()
            plan = search.run(start, 3600.0, args.moves)
            cpu = time.process_time() - began
            if profiler:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)
            rows.append(
                Row(
                    case,
                    name,
                    seed,
                    args.moves,
                    objective(problem, start),
                    objective(problem, plan),
                    len(plan.unassigned),
                    round(cpu, 2),
                    search.ev.evaluations,
                    round(args.moves / cpu, 1),
                    len(hard(validate(problem, plan))),
                    round(os.getloadavg()[0], 2),
                    digest(plan),
                )
            )
            print(json.dumps(asdict(rows[-1])), flush=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps([asdict(r) for r in rows], indent=2))


if __name__ == "__main__":
    main()
