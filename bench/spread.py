"""How widely ruin and recreate's plans spread over search seeds, at a fixed move budget.

Each day starts from nobody moving (what a short solve does) and ruin and recreate makes
``--moves`` moves per search seed (deterministic for a seed, independent of the load).
Per day: the objective of each seed, their mean and worst, and how many end within 1 % of
the day's reference (the best plan known; ``REFERENCE``). Runs go over ``--jobs``
processes; CPU seconds are reported, never the wall clock.

    .venv/bin/python bench/spread.py --moves 12000 --variants base
    .venv/bin/python bench/spread.py --moves 40000 --days storm:1,storm:2,storm:7 --out F
    .venv/bin/python bench/spread.py --moves 120000 --attempts 3 \\
        --variants "base,no recombine" --days storm:2,storm:7 --out F
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from scenarios import case_problem  # bench/ is on sys.path when run as a script

from solver import SolveParams
from solver.ruin import RuinRecreate
from solver.search import allowed_for, empty_solution
from solver.tuning import RuinTuning
from solver.validate import hard, objective, validate

BASE = RuinTuning()
VARIANTS: dict[str, RuinTuning] = {
    "base": BASE,
    #: The second worker's mix until session 6 (greedy only, 15 removed).
    "second worker": replace(BASE, greedy_share=1.0, avg_removed=15),
    **{f"restart {n}": replace(BASE, restart_after=n) for n in (200, 400, 1000, 2000, 4000, 8000)},
    **{f"removed {n}": replace(BASE, avg_removed=n) for n in (3, 5, 8, 16, 20)},
    "strings 12": replace(BASE, max_string=12),
    "cooling 50": replace(BASE, cooling=50.0),
    "cooling 1000": replace(BASE, cooling=1000.0),
    "t0 2": replace(BASE, t0_share=2.0),
    "t0 0.5": replace(BASE, t0_share=0.5),
    **{f"t0 {x}": replace(BASE, t0_share=x) for x in (0.2, 0.1, 0.05, 0.01, 0.001)},
    #: The attempts alone, their routes not recombined (before session 11).
    "no recombine": replace(BASE, recombine=False),
}
#: The best plan known per day, each stored with its routes (validated, 0 hard violations)
#: in ``bench/results/reference-20261130-h15*.json`` (storm and peak 1, normal 2) or
#: ``reference-20261130-h17*.json`` (storm 2: 4.293e10 with 7 left out, first found by this
#: script at commit 8dc78ee; peak 7, normal 7: session 6's 80,000-move runs) or
#: ``reference-20261130-s11-recombined.json`` (storm 7: 1.1532e10 with one job left out,
#: and normal 2: 5.765e8, both from 10 s solves that recombine the routes seen, session 11;
#: session 10's storm 7 plan, 1.1982e10 in ``reference-20261130-s10-storm7.json``, and
#: session 6's 1.2177e10 were the references before).
REFERENCE: dict[str, int] = {
    "storm:1": 42_875_576_706,
    "storm:2": 42_925_120_806,
    "storm:7": 11_531_615_272,
    "peak:1": 101_490_836_348,
    "peak:7": 97_832_520_350,
    "normal:2": 576_496_437,
    "normal:7": 453_287_238,
}
DAYS = "storm:1,storm:2,storm:7,peak:7,peak:1,normal:7,normal:2"


def one_run(day: str, variant: str, seed: int, moves: int, attempts: int) -> dict[str, object]:
    """One search seed's run on one day: objective, jobs left out, CPU seconds.

    With ``attempts`` > 1 the moves are split into that many attempts whose routes are
    recombined (``RuinRecreate.run_attempts``, as a solve does); with 1, one ``run``.
    """
    case, day_seed = day.split(":")
    problem = case_problem(case, int(day_seed)).problem
    allowed = allowed_for(problem, SolveParams(time_limit_s=60, workers=1))
    search = RuinRecreate(problem, allowed, seed, VARIANTS[variant])
    began = time.process_time()
    start = empty_solution(problem, 0.0)
    if attempts > 1:
        plan = search.run_attempts(start, 3600.0, moves, attempts)
    else:
        plan = search.run(start, 3600.0, moves)
    return {
        "day": day,
        "variant": variant,
        "seed": seed,
        "moves": moves,
        "attempts": attempts,
        "objective": objective(problem, plan),
        "unassigned": len(plan.unassigned),
        "hard_violations": len(hard(validate(problem, plan))),
        "cpu_s": round(time.process_time() - began, 2),
        "load_1m": round(os.getloadavg()[0], 2),
    }


def summary(rows: list[dict[str, object]]) -> list[str]:
    """Per day and variant: mean, worst, and seeds within 1 % of the reference."""
    lines = []
    keys = sorted({(str(r["day"]), str(r["variant"])) for r in rows})
    for day, variant in keys:
        mine = [r for r in rows if (r["day"], r["variant"]) == (day, variant)]
        values = [int(str(r["objective"])) for r in mine]
        ref = REFERENCE[day]
        near = sum(v <= ref * 1.01 for v in values)
        gaps = " ".join(f"{100 * (v / ref - 1):+.1f}" for v in values)
        mean = sum(values) / len(values)
        lines.append(
            f"{day:9} {variant:14} mean {100 * (mean / ref - 1):+6.2f} % "
            f"worst {100 * (max(values) / ref - 1):+6.2f} % "
            f"within 1 %: {near}/{len(values)}  [{gaps}]"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--days", default=DAYS)
    parser.add_argument("--moves", type=int, default=12000)
    parser.add_argument("--variants", default="base")
    parser.add_argument("--seeds", default="0,1,2,3,4,5")
    parser.add_argument("--attempts", type=int, default=1, help="attempts sharing the moves")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    runs = [
        (day, variant, int(seed), args.moves, args.attempts)
        for day in args.days.split(",")
        for variant in args.variants.split(",")
        for seed in args.seeds.split(",")
    ]
    with ProcessPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(one_run, *run) for run in runs]
        rows = []
        for future in futures:
            rows.append(future.result())
            print(json.dumps(rows[-1]), flush=True)
    print("\n".join(summary(rows)))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
