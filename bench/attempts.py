"""Wall-clock solves of field days with ruin and recreate split into independent attempts.

Each run is one ``solve()`` (two workers, as the product runs) with the search seed of the
run (``--first-seed`` onwards), so runs are independent draws; ``--attempt-s`` and
``--max-attempts`` override ``EngineTuning`` (``--max-attempts 1`` is one run per worker,
the lineup before session 7); ``--lead-share 0`` switches the lead off (each worker
recombines its own pool, the product before session 13). Per day: each run's gap to
``bench/spread.py``'s reference, the mean, and how many end within 1 %. Wall-clock
figures: run on a quiet machine; the 1-minute load is stored with each run.

    .venv/bin/python bench/attempts.py --days storm:7,peak:7,peak:1 --seconds 3 --runs 12 \\
        --max-attempts 1 --out F

``--keep FILE`` writes each day's best plan of the runs in the format of
``bench/reference.py`` (routes by engineer), so that a plan better than the reference can
be re-timed, checked and become the reference.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import replace
from pathlib import Path

from reference import stored
from scenarios import case_problem  # bench/ is on sys.path when run as a script
from spare import ready_spare
from spread import REFERENCE

from solver import Solution, SolveParams, solve
from solver.tuning import EngineTuning, RuinTuning, Tuning
from solver.validate import objective


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--days", default="storm:7,peak:7,peak:1")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--attempt-s", type=float, default=EngineTuning().attempt_s)
    parser.add_argument("--max-attempts", type=int, default=EngineTuning().max_attempts)
    parser.add_argument(
        "--lead-share", type=float, default=EngineTuning().lead_share, help="0: no lead"
    )
    parser.add_argument(
        "--all-cuts", action="store_true", help="SCIP's every separator in the programme"
    )
    parser.add_argument("--t0-share", type=float, default=RuinTuning().t0_share)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--keep", type=Path, help="each day's best plan, reference format")
    args = parser.parse_args()
    if args.keep and args.keep.exists():
        raise SystemExit(f"{args.keep} exists: kept plans are never overwritten")
    kept: dict[str, object] = {}
    engine = replace(
        EngineTuning(),
        attempt_s=args.attempt_s,
        max_attempts=args.max_attempts,
        lead=args.lead_share > 0,
        lead_share=args.lead_share,
    )
    ruin = replace(RuinTuning(), recombine_clique_cuts=not args.all_cuts, t0_share=args.t0_share)
    tuning = Tuning(engine=engine, ruin=ruin)
    rows: list[dict[str, object]] = []
    for day in args.days.split(","):
        case, day_seed = day.split(":")
        problem = case_problem(case, int(day_seed)).problem
        gaps: list[float] = []
        best: tuple[int, int, Solution] | None = None
        for seed in range(args.first_seed, args.first_seed + args.runs):
            params = SolveParams(time_limit_s=args.seconds, workers=2, seed=seed, tuning=tuning)
            ready_spare()
            plan = solve(problem, params)
            value = objective(problem, plan)
            if best is None or value < best[0]:
                best = (value, seed, plan)
            gaps.append(100 * (value / REFERENCE[day] - 1))
            rows.append(
                {
                    "day": day,
                    "seconds": args.seconds,
                    "seed": seed,
                    "attempt_s": args.attempt_s,
                    "max_attempts": args.max_attempts,
                    "lead_share": args.lead_share,
                    "all_cuts": args.all_cuts,
                    "t0_share": args.t0_share,
                    "objective": value,
                    "load_1m": round(os.getloadavg()[0], 2),
                }
            )
        near = sum(g <= 1.0 for g in gaps)
        print(
            f"{day} {args.seconds:g} s, attempts {engine.ruin_attempts(args.seconds)}: "
            + " ".join(f"{g:+.1f}" for g in gaps)
            + f"  mean {sum(gaps) / len(gaps):+.2f} %  within 1 %: {near}/{len(gaps)}",
            flush=True,
        )
        if args.keep and best is not None:
            source = f"bench/attempts.py, {args.seconds:g} s solve, search seed {best[1]}"
            kept[day] = stored(problem, best[2], 0, [], source)
            args.keep.parent.mkdir(parents=True, exist_ok=True)
            args.keep.write_text(json.dumps(kept, indent=1))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
