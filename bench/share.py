"""Would sharing the best plan between the two workers halfway narrow the spread?

A move-count simulation of a race (no processes, deterministic): workers A and B (the
same mix since session 6, each with its own search seed) each make ``--moves`` moves from nobody
moving; the race keeps the better of the two. Shared: each makes half the moves, both
carry on from the better plan of the two with fresh seeds for the other half, and the race
keeps the better. Per day, the objective of each seed pair, against ``spread.REFERENCE``.

    .venv/bin/python bench/share.py --moves 40000 --days storm:1,storm:2,storm:7,peak:7
"""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ProcessPoolExecutor

from scenarios import case_problem  # bench/ is on sys.path when run as a script
from spread import REFERENCE

from solver import Problem, Solution, SolveParams
from solver.ruin import RuinRecreate
from solver.search import allowed_for, empty_solution
from solver.tuning import RuinTuning
from solver.validate import objective


def moves(problem: Problem, start: Solution, seed: int, count: int) -> Solution:
    allowed = allowed_for(problem, SolveParams(time_limit_s=60, workers=1))
    return RuinRecreate(problem, allowed, seed, RuinTuning()).run(start, 3600.0, count)


def race(day: str, seed: int, count: int) -> dict[str, object]:
    """One seed pair's race, without and with the halfway exchange."""
    case, day_seed = day.split(":")
    problem = case_problem(case, int(day_seed)).problem
    empty = empty_solution(problem, 0.0)
    whole = [objective(problem, moves(problem, empty, seed + w, count)) for w in (0, 1)]
    halves = [moves(problem, empty, seed + w, count // 2) for w in (0, 1)]
    better = min(halves, key=lambda plan: objective(problem, plan))
    ends = [moves(problem, better, seed + w + 100, count // 2) for w in (0, 1)]
    return {
        "day": day,
        "seed": seed,
        "moves": count,
        "race": min(whole),
        "shared": min(objective(problem, plan) for plan in ends),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--days", default="storm:1,storm:2,storm:7,peak:7")
    parser.add_argument("--moves", type=int, default=40000)
    parser.add_argument("--seeds", default="0,2,4")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    runs = [(d, int(s), args.moves) for d in args.days.split(",") for s in args.seeds.split(",")]
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(race, *zip(*runs, strict=True)))
    for row in rows:
        print(json.dumps(row), flush=True)
    for day in args.days.split(","):
        mine = [r for r in rows if r["day"] == day]
        for key in ("race", "shared"):
            gaps = [100 * (int(str(r[key])) / REFERENCE[day] - 1) for r in mine]
            listed = " ".join(f"{g:+.1f}" for g in gaps)
            print(f"{day:9} {key:7} mean {sum(gaps) / len(gaps):+6.2f} % [{listed}]")


if __name__ == "__main__":
    main()
