"""The fixture field days at the product's budgets, against the best-known plans.

For each case, seed and budget: ``solve()`` as the product calls it (two workers unless
``--workers``), the plan validated by ``solver.validate``, its objective, and its gap to a
reference: for seed 7 the outside best-known plans of
``/work/shared/benchmarks/field-days/best-known-seed7.json``; for other seeds the plans
of ``--reference`` files written by ``bench/reference.py`` (keyed ``case:seed``; the best
of the files when several are given), else the best of these runs. Stored plans are
re-timed by ``solver.routes_eval`` and scored with today's objective (the outside
plans' README asks for that when prices change). The load average is recorded beside
every figure.

    .venv/bin/python bench/field_days.py --cases normal,storm,peak --seconds 3,10,60
    .venv/bin/python bench/field_days.py --seeds 1,2 --seconds 10 \
        --reference bench/results/reference-20261130-h15.json --out bench/results/x.json
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from reference import stored_plan
from scenarios import case_problem  # bench/ is on sys.path when run as a script
from spare import ready_spare

from solver import Problem, Solution, SolveParams, solve
from solver.validate import hard, objective, validate

BEST_KNOWN = Path("/work/shared/benchmarks/field-days/best-known-seed7.json")


@dataclass(frozen=True)
class Row:
    case: str
    seed: int
    seconds: float
    workers: int
    objective: int
    unassigned: int
    engine: str
    wall_s: float
    hard_violations: int
    reference: int | None
    gap_pct: float | None
    load_1m: float


def best_known(problem: Problem, case: str) -> int | None:
    """The stored best-known plan of ``case`` (seed 7), re-timed and scored today."""
    if not BEST_KNOWN.exists():
        return None
    stored = json.loads(BEST_KNOWN.read_text()).get(case)
    return None if stored is None else stored_objective(problem, stored)


def reference(problem: Problem, case: str, seed: int, files: list[Path]) -> int | None:
    """The best of the plans stored for ``case:seed`` in ``files``, re-timed and scored."""
    found = []
    for path in files:
        stored = json.loads(path.read_text()).get(f"{case}:{seed}")
        cost = None if stored is None else stored_objective(problem, stored)
        if cost is not None:
            found.append(cost)
    return min(found, default=None)


def stored_objective(problem: Problem, stored: dict[str, Any]) -> int | None:
    """A stored plan (routes by engineer, jobs left out) re-timed; None if it is invalid."""
    plan = stored_plan(problem, stored)
    if plan is None or hard(validate(problem, plan)):
        return None
    return objective(problem, plan)


def measure(
    case: str, seed: int, seconds: float, workers: int, files: list[Path]
) -> tuple[Row, Solution]:
    problem = case_problem(case, seed).problem
    if workers > 1:
        ready_spare()
    started = time.perf_counter()
    plan = solve(problem, SolveParams(time_limit_s=seconds, seed=seed, workers=workers))
    wall = time.perf_counter() - started
    cost = objective(problem, plan)
    known = best_known(problem, case) if seed == 7 else reference(problem, case, seed, files)
    gap = None if not known else round(100.0 * (cost - known) / known, 3)
    row = Row(
        case=case,
        seed=seed,
        seconds=seconds,
        workers=workers,
        objective=cost,
        unassigned=len(plan.unassigned),
        engine=plan.stats.engine,
        wall_s=round(wall, 2),
        hard_violations=len(hard(validate(problem, plan))),
        reference=known,
        gap_pct=gap,
        load_1m=round(os.getloadavg()[0], 2),
    )
    return row, plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", default="normal,storm,peak")
    parser.add_argument("--seeds", default="7")
    parser.add_argument("--seconds", default="3,10")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--reference", type=Path, action="append", default=[])
    args = parser.parse_args()
    rows = []
    for seed in (int(s) for s in args.seeds.split(",")):
        for case in args.cases.split(","):
            for seconds in (float(s) for s in args.seconds.split(",")):
                row, _ = measure(case, seed, seconds, args.workers, args.reference)
                rows.append(row)
                print(json.dumps(asdict(row)), flush=True)
    print(markdown(rows))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps([asdict(r) for r in rows], indent=2))


def markdown(rows: list[Row]) -> str:
    """One line per day and budget; the gap is to the reference, else to the day's best run."""
    lines = [
        "| case | seed | budget s | objective (unassigned) | gap | reference | load 1 min |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        day = [r for r in rows if (r.case, r.seed) == (row.case, row.seed)]
        reference = row.reference or min(r.objective for r in day)
        gap = 100.0 * (row.objective - reference) / reference
        source = "best of these runs"
        if row.reference:
            source = "best known" if row.seed == 7 else "reference"
        lines.append(
            f"| {row.case} | {row.seed} | {row.seconds:g} | {row.objective:.4g} "
            f"({row.unassigned}) | {gap:+.2f} % | {reference:.4g} ({source}) | {row.load_1m} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
