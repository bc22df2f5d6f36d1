"""Engine set-ups side by side on the fixture days: what the race and the turns are built on.

For each case and budget, solve the same day with each set-up and report the recomputed
objective, the jobs left out and which engine made the plan; every plan is validated.

* ``ortools``: one OR-Tools model from scratch, in this process;
* ``parts``: the day in parts by home office (``solver.decompose``), one after the other;
* ``parts-then-rr``: the parts, then ruin and recreate from their plan (the race's second
  process on field days);
* ``ortools-then-rr``: OR-Tools' first plan, then ruin and recreate (the first process);
* ``one-core``: ``solve()`` with one worker (the turns, as API jobs run);
* ``race``: ``solve()`` with two workers (the product's default).

    .venv/bin/python bench/engines.py --cases normal,peak,storm --seconds 3,10
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from scenarios import case_problem  # bench/ is on sys.path when run as a script

from solver import Problem, Solution, SolveParams, solve, validate
from solver.decompose import solve_in_parts
from solver.ranking import best_of
from solver.search import solve_ortools
from solver.strategy import OrTools, Parts, RuinAndRecreate, Strategy, take_turns
from solver.tuning import TUNING
from solver.validate import hard, objective

SETUPS = ("ortools", "parts", "parts-then-rr", "ortools-then-rr", "one-core", "race")


@dataclass(frozen=True)
class Row:
    case: str
    seconds: float
    setup: str
    objective: int
    unassigned: int
    engine: str
    wall_s: float
    hard_violations: int
    load_1m: float


def _best(problem: Problem, plans: list[Solution]) -> Solution:
    best = best_of(problem, plans)
    assert best is not None
    return best


def run(problem: Problem, setup: str, params: SolveParams) -> Solution:
    one = replace(params, workers=1)
    if setup == "ortools":
        return solve_ortools(problem, one)
    if setup == "parts":
        return solve_in_parts(problem, one)
    if setup in ("parts-then-rr", "ortools-then-rr"):
        first: tuple[Strategy, float] = (Parts(), TUNING.engine.parts_share)
        if setup == "ortools-then-rr":
            first = (OrTools(), TUNING.engine.ortools_share)
        turns = (first, (RuinAndRecreate(), 1.0))
        return _best(problem, take_turns(problem, one, turns, time.time() + params.time_limit_s))
    return solve(problem, one if setup == "one-core" else replace(params, workers=2))


def measure(case: str, seconds: float, setup: str, seed: int) -> Row:
    problem = case_problem(case, seed).problem
    started = time.perf_counter()
    plan = run(problem, setup, SolveParams(time_limit_s=seconds, seed=seed))
    return Row(
        case=case,
        seconds=seconds,
        setup=setup,
        objective=objective(problem, plan),
        unassigned=len(plan.unassigned),
        engine=plan.stats.engine,
        wall_s=round(time.perf_counter() - started, 2),
        hard_violations=len(hard(validate(problem, plan))),
        load_1m=round(os.getloadavg()[0], 2),
    )


def markdown(rows: list[Row]) -> str:
    lines = ["| case | budget s | " + " | ".join(SETUPS) + " |", "|---|---|" + "---|" * len(SETUPS)]
    keys = sorted({(r.case, r.seconds) for r in rows}, key=lambda k: (k[1], k[0]))
    for case, seconds in keys:
        mine = [r for r in rows if (r.case, r.seconds) == (case, seconds)]
        cells = {r.setup: f"{r.objective:.3g} ({r.unassigned})" for r in mine}
        row = " | ".join(cells.get(setup, "–") for setup in SETUPS)
        lines.append(f"| {case} | {seconds:g} | {row} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", default="normal,peak,storm")
    parser.add_argument("--seconds", default="3,10")
    parser.add_argument("--setups", default=",".join(SETUPS))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rows = []
    for seconds in (float(s) for s in args.seconds.split(",")):
        for case in args.cases.split(","):
            for setup in args.setups.split(","):
                rows.append(measure(case, seconds, setup, args.seed))
                print(json.dumps(asdict(rows[-1])), flush=True)
    print(markdown(rows))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps([asdict(r) for r in rows], indent=2))


if __name__ == "__main__":
    main()
