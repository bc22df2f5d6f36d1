"""Solomon VRPTW benchmark: our engine and its peers, same instances, same wall-clock budget.

Usage (from the repository root)::

    .venv/bin/python bench/vrptw.py --seconds 10 --instances all \
        --engines ours,ortools,pyvrp,vroom --threads 1 --out bench/results/vrptw-20261123.json
    .venv/bin/python bench/vrptw.py --report bench/results/a.json bench/results/b.json

Engines: ``ours`` (``solver.solve``), ``hgs`` (``solver.hgs.solve_with_hgs`` alone),
``ortools`` (alias ``ortools-plain``), ``pyvrp`` and ``vroom`` (``bench/peers.py``), and
``bks``, the best-known ``.sol`` files themselves (a check of the checks: gap 0, all
feasible). Every answer is checked by ``solver.solomon.check_routes`` and by the engine's
validator (``solver.validate``; a peer's routes are scheduled on our problem first). The
gap is to the best-known distance of ``bks.csv``; a run with no answer or a broken one
counts as infeasible and is left out of the mean gap. The JSON file is rewritten after
every run, so a long run can be watched and an interrupted one keeps what it measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from statistics import mean
from typing import Any

from peers import PEERS, Routes

from solver import solve
from solver.hgs import solve_with_hgs
from solver.params import SolveParams
from solver.problem import Problem
from solver.solomon import (
    BestKnown,
    SolomonInstance,
    check_routes,
    read_bks,
    read_instance,
    read_solution,
    route_distance,
    solution_routes,
    to_problem,
    to_solution,
)
from solver.solution import Solution
from solver.validate import hard, validate

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "solomon"
CLASSES = ("C1", "C2", "R1", "R2", "RC1", "RC2")
ALIASES = {"ortools-plain": "ortools"}
Answer = tuple[Routes | None, list[str], str | None]
"""An engine's routes (``None``: no answer), the violations its checks found, and which
engine made the plan (``ours`` races two: ``Solution.stats.engine`` says which won)."""
Engine = Callable[[SolomonInstance, argparse.Namespace], Answer]


@dataclass(frozen=True, slots=True)
class Run:
    instance: str
    cls: str
    engine: str
    feasible: bool
    distance: float | None
    vehicles: int | None
    gap_pct: float | None
    wall_s: float
    errors: list[str]
    bks_vehicles: int
    cpu_s: float | None = None
    load_1m: float | None = None
    source: str | None = None


def _validator_errors(problem: Problem, solution: Solution) -> list[str]:
    """Hard violations found by the engine's own validator."""
    return [
        f"validator: {v.kind} {v.job_id or v.vehicle_id}: {v.message}"
        for v in hard(validate(problem, solution))
    ]


def _from_solution(problem: Problem, solution: Solution | None) -> Answer:
    if solution is None:
        return None, [], None
    errors = _validator_errors(problem, solution)
    if solution.unassigned:
        errors.append(f"unassigned: {', '.join(solution.unassigned)}")
    return solution_routes(solution), errors, solution.stats.engine


def _ours(inst: SolomonInstance, args: argparse.Namespace) -> Answer:
    problem = to_problem(inst)
    params = SolveParams(time_limit_s=args.seconds, seed=args.seed, workers=args.threads)
    return _from_solution(problem, solve(problem, params))


def _hgs(inst: SolomonInstance, args: argparse.Namespace) -> Answer:
    problem = to_problem(inst)
    params = SolveParams(time_limit_s=args.seconds, seed=args.seed, workers=1)
    return _from_solution(problem, solve_with_hgs(problem, params))


def _bks(inst: SolomonInstance, args: argparse.Namespace) -> Answer:
    """The best-known solution file itself, through the same checks (gap must be 0)."""
    routes = [list(r) for r in read_solution(args.dir / f"{inst.name}.sol").routes]
    return routes, _checked_by_validator(inst, routes), "bks"


def _checked_by_validator(inst: SolomonInstance, routes: Routes | None) -> list[str]:
    """A peer's routes, scheduled on our problem, judged by our validator as well."""
    if routes is None:
        return []
    problem = to_problem(inst)
    return _validator_errors(problem, to_solution(problem, routes, engine="peer"))


def _peer(name: str) -> Engine:
    peer = PEERS[name]

    def run(inst: SolomonInstance, args: argparse.Namespace) -> Answer:
        routes = peer(inst, args.seconds, args.threads, args.seed)
        return routes, _checked_by_validator(inst, routes), name

    return run


ENGINES: dict[str, Engine] = {
    "ours": _ours,
    "hgs": _hgs,
    **{n: _peer(n) for n in PEERS},
    "bks": _bks,
}


def run_one(engine: str, inst: SolomonInstance, best: BestKnown, args: argparse.Namespace) -> Run:
    """One engine on one instance. ``cpu_s`` (this process's CPU time, all threads) against
    ``wall_s`` shows whether a single-threaded engine had its core to itself."""
    start, cpu = time.perf_counter(), time.process_time()
    try:
        routes, errors, source = ENGINES[engine](inst, args)
    except Exception as exc:  # a crash is a result to report, not a reason to stop the run
        routes, errors, source = None, [f"crash: {exc!r}"], None
    wall = round(time.perf_counter() - start, 2)
    if routes is None:
        run = _result(inst, best, engine, wall, None, errors or ["no answer"])
    else:
        run = _result(inst, best, engine, wall, routes, errors + check_routes(inst, routes))
    used = round(time.process_time() - cpu, 2)
    return replace(run, cpu_s=used, load_1m=round(os.getloadavg()[0], 2), source=source)


def _result(
    inst: SolomonInstance,
    best: BestKnown,
    engine: str,
    wall: float,
    routes: Routes | None,
    errors: list[str],
) -> Run:
    dist = None if routes is None else route_distance(inst, routes)
    gap = None if dist is None else round(100.0 * (dist - best.distance) / best.distance, 3)
    return Run(
        instance=inst.name,
        cls=best.cls,
        engine=engine,
        feasible=routes is not None and not errors,
        distance=dist,
        vehicles=None if routes is None else sum(1 for r in routes if r),
        gap_pct=gap,
        wall_s=wall,
        errors=errors,
        bks_vehicles=best.routes,
    )


def select(names: str, bks: dict[str, BestKnown]) -> list[str]:
    """``all``, or a comma list of classes (C1, RC2) and/or instance names (R201)."""
    if names == "all":
        return _ordered(list(bks), bks)
    wanted: list[str] = []
    for token in names.split(","):
        token = token.strip().upper()
        if token in CLASSES:
            wanted += [n for n in bks if bks[n].cls == token]
        elif token in bks:
            wanted.append(token)
        else:
            raise SystemExit(f"unknown class or instance {token!r}")
    return _ordered(wanted, bks)


def _ordered(names: list[str], bks: dict[str, BestKnown]) -> list[str]:
    def key(name: str) -> tuple[int, str]:
        cls = bks[name].cls
        return (CLASSES.index(cls) if cls in CLASSES else len(CLASSES), name)

    return sorted(dict.fromkeys(names), key=key)


def machine() -> dict[str, str]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    versions = {}
    for pkg in ("ortools", "pyvrp", "pyvroom"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "absent"
    return {
        "cpu": model,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "os": platform.platform(),
        **versions,
    }


def summarize(runs: Sequence[Run]) -> list[dict[str, Any]]:
    """Per engine and class (plus ``all``): feasible count, mean/worst gap, mean vehicles."""
    rows: list[dict[str, Any]] = []
    for engine in dict.fromkeys(r.engine for r in runs):
        mine = [r for r in runs if r.engine == engine]
        for cls in (*CLASSES, "all"):
            group = [r for r in mine if cls in ("all", r.cls)]
            if group:
                rows.append(_summary_row(engine, cls, group))
    return rows


def _summary_row(engine: str, cls: str, group: list[Run]) -> dict[str, Any]:
    ok = [r for r in group if r.feasible]
    gaps = [r.gap_pct for r in ok if r.gap_pct is not None]
    return {
        "engine": engine,
        "class": cls,
        "instances": len(group),
        "feasible": len(ok),
        "mean_gap_pct": round(mean(gaps), 2) if gaps else None,
        "worst_gap_pct": round(max(gaps), 2) if gaps else None,
        "mean_vehicles": round(mean(r.vehicles or 0 for r in ok), 2) if ok else None,
        "bks_vehicles": round(mean(r.bks_vehicles for r in ok), 2) if ok else None,
        "mean_wall_s": round(mean(r.wall_s for r in group), 2),
        "mean_cpu_s": _mean_or_none([r.cpu_s for r in group]),
        "plans_by": dict(Counter(r.source for r in ok if r.source is not None)),
    }


def _mean_or_none(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(mean(known), 2) if known else None


def _fmt(value: float | None, suffix: str = "") -> str:
    return "—" if value is None else f"{value:.2f}{suffix}"


def markdown(rows: list[dict[str, Any]]) -> str:
    """The per-class table of every engine, then gaps side by side with ratios to ``ours``.

    Vehicles are averaged over the feasible runs, beside the best-known solutions' count on
    the same instances.
    """
    lines = [
        "| engine | class | feasible | mean gap | worst gap | vehicles (bks) | wall s | cpu s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['engine']} | {r['class']} | {r['feasible']}/{r['instances']} "
            f"| {_fmt(r['mean_gap_pct'], ' %')} | {_fmt(r['worst_gap_pct'], ' %')} "
            f"| {_fmt(r['mean_vehicles'])} ({_fmt(r['bks_vehicles'])}) "
            f"| {r['mean_wall_s']:.1f} | {_fmt(r['mean_cpu_s'])} |"
        )
    return "\n".join(lines) + "\n\n" + _side_by_side(rows)


def _side_by_side(rows: list[dict[str, Any]]) -> str:
    engines = list(dict.fromkeys(r["engine"] for r in rows))
    gap = {(r["engine"], r["class"]): r["mean_gap_pct"] for r in rows}
    head = "| class | " + " | ".join(engines) + " |"
    lines = [head, "|---" * (len(engines) + 1) + "|"]
    for cls in (*CLASSES, "all"):
        if any((e, cls) in gap for e in engines):
            cells = [_fmt(gap.get((e, cls)), " %") for e in engines]
            lines.append(f"| {cls} | " + " | ".join(cells) + " |")
    notes: list[str] = []
    for r in rows:
        if r["class"] == "all" and set(r.get("plans_by", {})) - {r["engine"]}:
            made = ", ".join(f"{e} {n}" for e, n in sorted(r["plans_by"].items()))
            notes.append(f"- {r['engine']}: feasible plans made by {made}")
    for mine in (e for e in engines if e.startswith("ours")):
        ours = gap.get((mine, "all"))
        for e in engines:
            theirs = gap.get((e, "all"))
            if not e.startswith("ours") and ours is not None and theirs:
                notes.append(f"- mean gap ratio {mine} / {e}: {ours / theirs:.2f}")
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def _write(path: Path, header: dict[str, Any], runs: list[Run]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {**header, "runs": [asdict(r) for r in runs], "summary": summarize(runs)}
    path.write_text(json.dumps(payload, indent=1) + "\n")


def benchmark(args: argparse.Namespace) -> int:
    bks = read_bks(args.dir / "bks.csv")
    names = select(args.instances, bks)
    engines = [ALIASES.get(e.strip(), e.strip()) for e in args.engines.split(",")]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown:
        raise SystemExit(f"unknown engines {unknown}; choose from {sorted(ENGINES)}")
    header = {
        "command": shlex.join([Path(sys.executable).name, *sys.argv]),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "seconds": args.seconds,
        "threads": args.threads,
        "seed": args.seed,
    }
    runs: list[Run] = []
    for name in names:
        inst = read_instance(args.dir / f"{name}.txt")
        for engine in engines:
            run = run_one(engine, inst, bks[name], args)
            runs.append(run)
            print(_progress(run), flush=True)
            _write(args.out, header, runs)
    print("\n" + markdown(summarize(runs)))
    return 0


def _progress(run: Run) -> str:
    status = "ok" if run.feasible else "INFEASIBLE " + "; ".join(run.errors[:3])
    return (
        f"{run.instance:6} {run.engine:8} dist={run.distance} veh={run.vehicles} "
        f"gap={run.gap_pct}% wall={run.wall_s:.1f}s {status}"
    )


def report(paths: list[Path]) -> int:
    """Reprint the tables of one or more results files (e.g. engines run separately).

    Engines from a run with ``--threads 2`` are labelled ``<engine>-2t`` so one-thread
    and two-thread runs of the same engine stay apart.
    """
    runs: list[Run] = []
    for path in paths:
        data = json.loads(path.read_text())
        print(f"<!-- {path}: {data['command']} ({data['date']}) -->")
        threads = int(data.get("threads", 1))
        for raw in data["runs"]:
            run = Run(**raw)
            runs.append(replace(run, engine=f"{run.engine}-{threads}t") if threads > 1 else run)
    print(markdown(summarize(runs)))
    return 0


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    today = datetime.now(UTC).strftime("%Y%m%d")
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--seconds", type=float, default=10.0, help="wall-clock budget per run")
    p.add_argument("--instances", default="all", help="all, or classes/instances: C1,R201")
    p.add_argument("--engines", default="ours,ortools,pyvrp,vroom")
    p.add_argument("--threads", type=int, default=1, choices=(1, 2))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="Solomon instances and bks.csv")
    p.add_argument("--out", type=Path, default=Path(f"bench/results/vrptw-{today}.json"))
    p.add_argument("--report", type=Path, nargs="+", help="print tables of results files")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if args.report:
        return report(args.report)
    return benchmark(args)


if __name__ == "__main__":
    raise SystemExit(main())
