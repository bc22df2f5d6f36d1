"""What the programme makes of ruin and recreate's route pools, counted by moves.

Each search seed makes ``--attempts`` attempts of ``--moves`` moves in all on one day (one
worker, from nobody moving, as ``bench/spread.py`` counts them) and keeps the pool of
routes its attempts accepted. Each pool, and each union of ``--join`` consecutive seeds'
pools (what the lead hands one programme), is then recombined (``solver.recombine``),
hinted with its best attempt's plan:

* ``root``: SCIP stops after its root node (``nodes=1``): what a short programme gets,
  and the CPU seconds its root takes;
* ``held``: the best plan the pool holds (at most ``--held-s`` seconds; it has always
  been proven optimal sooner in the runs recorded with 60 s). With ``--held-s 1.5``: what
  the lead's programme finds in a 3 s solve's time for it.

``--all-cuts`` gives SCIP every separator instead of clique cuts only, and ``--t0-share``
the attempts another starting temperature (session 16).

With ``--polish MOVES``, ruin and recreate then starts from each ``held`` plan for that
many moves at ``--polish-t0`` times the calibrated temperature, once per
``--polish-seeds`` search seed: whether the plan a pool holds is one step from a better
one. Gaps are to ``bench/spread.py``'s reference; every plan is checked by
``solver.validate``. Runs go over ``--jobs`` processes.

    .venv/bin/python bench/pools.py --day storm:7 --seeds 0-31 --attempts 3 --join 2 \\
        --polish 6000 --out F
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from scenarios import case_problem  # bench/ is on sys.path when run as a script
from spread import REFERENCE

from solver import SolveParams
from solver.recombine import Partition, PostedPool, RoutePool, recombine
from solver.recreate import State
from solver.ruin import RuinRecreate
from solver.search import allowed_for, empty_solution
from solver.tuning import RuinTuning
from solver.validate import hard, objective, validate

POOL_LIMIT = RuinTuning().pool_limit


class PoolKeeper(RuinRecreate):
    """Ruin and recreate that keeps its attempts' pool instead of recombining it."""

    kept: tuple[PostedPool, Partition] | None = None

    def _recombined(self, pool: RoutePool, best: State, seconds: float, counted: bool) -> list:  # type: ignore[type-arg]
        empties = [None if pin >= 0 else self.ev.cost(v, ()) for v, pin in enumerate(self.pin)]
        pool.best = best if pool.best is None or best.total < pool.best.total else pool.best
        self.kept = (pool.posted(), Partition(empties, self.drop))
        return []


def search_for(day: str, seed: int, tuning: RuinTuning) -> RuinRecreate:
    case, day_seed = day.split(":")
    problem = case_problem(case, int(day_seed)).problem
    allowed = allowed_for(problem, SolveParams(time_limit_s=60, workers=1))
    return PoolKeeper(problem, allowed, seed, tuning)


def one_pool(
    day: str, seed: int, moves: int, attempts: int, t0_share: float
) -> tuple[PostedPool, Partition]:
    """The pool of one search seed's attempts, and what its programme is given."""
    search = search_for(day, seed, replace(RuinTuning(), t0_share=t0_share))
    search.run_attempts(empty_solution(search.problem, 0.0), 3600.0, moves, attempts)
    assert isinstance(search, PoolKeeper) and search.kept is not None
    return search.kept


def joined(posted: list[PostedPool]) -> RoutePool:
    """One pool holding every route of ``posted`` and the best of their best plans."""
    pool = RoutePool(POOL_LIMIT)
    for one in posted:
        pool.join(one)
    return pool


def programme(
    day: str,
    seeds: list[int],
    posted: list[PostedPool],
    partition: Partition,
    args: argparse.Namespace,
) -> dict[str, object]:
    """The root-only and the held plan of the union of ``posted``, and the polishes."""
    pool = joined(posted)
    assert pool.best is not None
    reference = REFERENCE[day]
    row: dict[str, object] = {
        "day": day,
        "seeds": seeds,
        "columns": len(pool.distinct()),
        "hint_gap": pool.best.total / reference - 1,
    }
    found = pool.best
    for name, nodes in (("root", 1), ("held", None)):
        began = time.process_time()
        cliques = not args.all_cuts
        found = recombine(pool, partition, pool.best, args.held_s, nodes, cliques) or pool.best
        row[f"{name}_gap"] = found.total / reference - 1
        row[f"{name}_cpu_s"] = round(time.process_time() - began, 2)
        row[f"{name}_left_out"] = sorted(found.unassigned)
    if args.polish:
        row["polished_gaps"] = [
            polish(day, found, seed, args.polish, args.polish_t0) / reference - 1
            for seed in range(args.polish_seeds)
        ]
    return row


def polish(day: str, start: State, seed: int, moves: int, t0_share: float) -> int:
    """The objective of ruin and recreate's best plan from ``start`` (checked, no recombining)."""
    tuning = replace(RuinTuning(), t0_share=t0_share, recombine=False)
    search = search_for(day, seed, tuning)
    plan = search.run(search.solution(start, 0.0), 3600.0, moves)
    assert not hard(validate(search.problem, plan))
    return objective(search.problem, plan)


def summary(rows: list[dict[str, object]]) -> list[str]:
    """Per number of pools joined: how many programmes end within 1 %, and in which basin."""
    lines = []
    for size in sorted({len(r["seeds"]) for r in rows}):  # type: ignore[arg-type]
        mine = [r for r in rows if len(r["seeds"]) == size]  # type: ignore[arg-type]
        line = f"{size} pool(s) x {len(mine)}:"
        for name in ("hint", "root", "held"):
            gaps = [float(r[f"{name}_gap"]) for r in mine]  # type: ignore[arg-type]
            near = sum(g <= 0.01 for g in gaps)
            mean = 100 * sum(gaps) / len(gaps)
            line += f"  {name} {near}/{len(gaps)} within 1 % (mean {mean:+.2f} %)"
        polished = [r["polished_gaps"] for r in mine if "polished_gaps" in r]
        if polished:
            runs = [float(g) for gaps in polished for g in gaps]  # type: ignore[attr-defined]
            line += f"  polished {sum(g <= 0.01 for g in runs)}/{len(runs)} runs within 1 %"
        lines.append(line)
    return lines


def seed_range(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--day", default="storm:7")
    parser.add_argument("--seeds", default="0-15", help="first-last search seed")
    parser.add_argument("--moves", type=int, default=36000, help="moves of all attempts")
    parser.add_argument("--attempts", type=int, default=3)
    parser.add_argument("--join", type=int, default=2, help="also programmes over this many pools")
    parser.add_argument("--held-s", type=float, default=60.0)
    parser.add_argument(
        "--all-cuts", action="store_true", help="SCIP's every separator in the programme"
    )
    parser.add_argument(
        "--t0-share", type=float, default=RuinTuning().t0_share, help="the attempts' T0 share"
    )
    parser.add_argument("--polish", type=int, default=0, help="moves from each held plan")
    parser.add_argument("--polish-t0", type=float, default=0.1)
    parser.add_argument("--polish-seeds", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    seeds = seed_range(args.seeds)
    with ProcessPoolExecutor(args.jobs) as workers:
        pending = [
            workers.submit(one_pool, args.day, s, args.moves, args.attempts, args.t0_share)
            for s in seeds
        ]
        kept = [p.result() for p in pending]
        partition = kept[0][1]
        groups = [[s] for s in seeds]
        if args.join > 1:
            groups += [
                seeds[i : i + args.join] for i in range(0, len(seeds) - args.join + 1, args.join)
            ]
        futures = [
            workers.submit(
                programme, args.day, g, [kept[seeds.index(s)][0] for s in g], partition, args
            )
            for g in groups
        ]
        rows = []
        for future in futures:
            rows.append(future.result())
            print(json.dumps(rows[-1]), flush=True)
    for line in summary(rows):
        print(line)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        meta = {k: v for k, v in vars(args).items() if k != "out"}
        args.out.write_text(json.dumps({"settings": meta, "runs": rows}, indent=2))


if __name__ == "__main__":
    main()
