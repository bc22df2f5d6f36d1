"""Measurements behind the solver's choices (docs/solver.md), and a profile of one solve.

    python bench/profile_solver.py strategies --seconds 5      # first solution x metaheuristic
    python bench/profile_solver.py prune --jobs 1000 --vehicles 100 --seconds 30
    python bench/profile_solver.py transit --seconds 5         # matrix vs Python callbacks
    python bench/profile_solver.py relax --jobs 300 --vehicles 40 --size-km 600 --seconds 10
    python bench/profile_solver.py gap --jobs 60 --vehicles 16 --size-km 300 --seconds 3 --long 60
    python bench/profile_solver.py profile --jobs 300 --vehicles 30 --seconds 10

Field-service instances are synthetic: engineers at offices spread over a country-sized
square, jobs clustered around cities, 6 h / 36 h deadlines, three product lines, a lunch
break. Solomon instances come from ../shared/benchmarks/solomon/.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ortools.constraint_solver import pywrapcp

from solver import (
    Break,
    Job,
    Problem,
    SolveParams,
    Vehicle,
    dimensions,
    model,
    objective,
    solve,
    validate,
)
from solver.search import solve_ortools
from solver.validate import hard

SOLOMON = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "solomon"
HOUR = 3600
SAMPLE = ["C101", "C201", "R101", "R201", "RC101", "RC201", "R112", "RC208"]
CONFIGS: list[tuple[str, str, bool]] = [
    ("PARALLEL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH", True),
    ("PARALLEL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH", False),
    ("PARALLEL_CHEAPEST_INSERTION", "ILS", True),
    ("PARALLEL_CHEAPEST_INSERTION", "ILS", False),
    ("LOCAL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH", False),
    ("SAVINGS", "GUIDED_LOCAL_SEARCH", False),
    ("PATH_CHEAPEST_ARC", "GUIDED_LOCAL_SEARCH", False),
]


def field_problem(n_jobs: int, n_vehicles: int, seed: int = 0, size_km: float = 2000) -> Problem:
    """A day over a ``size_km`` square (country: 2,000): cities, their engineers and jobs."""
    rng = np.random.default_rng(seed)
    n_cities = max(1, n_vehicles // 2)
    cities = rng.uniform(0, size_km, (n_cities, 2))
    home = rng.integers(0, n_cities, n_vehicles)
    job_city = rng.integers(0, n_cities, n_jobs)
    spread = np.where(rng.random(n_jobs) < 0.8, 15.0, 80.0)[:, None]
    sites = cities[job_city] + rng.normal(0, 1, (n_jobs, 2)) * spread
    points = np.vstack([cities[home], sites])
    km = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    durations = np.rint(km / 60.0 * HOUR * 1.3).astype(np.int64)  # 60 km/h, detour 1.3
    distances = np.rint(km * 1300).astype(np.int64)  # metres
    lines = ["pump", "valve", "meter"]
    jobs = tuple(_job(i, n_vehicles + i, rng, lines) for i in range(n_jobs))
    vehicles = tuple(_engineer(k, rng, lines) for k in range(n_vehicles))
    return Problem(durations, distances, jobs, vehicles, horizon=2 * 24 * HOUR, time_cost=1)


def _job(i: int, location: int, rng: np.random.Generator, lines: list[str]) -> Job:
    urgent = rng.random() < 0.7
    release = int(rng.integers(0, 4 * HOUR))
    due = 9 * HOUR + release if urgent else 36 * HOUR
    return Job(
        f"j{i}",
        location,
        service=int(rng.integers(3, 15)) * 600,
        release=release,
        due=due,
        lateness_cost=20,
        drop_penalty=5_000_000,
        skill=str(rng.choice(lines)),
    )


def _engineer(k: int, rng: np.random.Generator, lines: list[str]) -> Vehicle:
    skills = frozenset(rng.choice(lines, 2, replace=False).tolist())
    return Vehicle(
        f"e{k}",
        k,
        k,
        0,
        9 * HOUR,
        overtime_cap=2 * HOUR,
        overtime_cost=3,
        skills=skills,
        breaks=(Break(3 * HOUR, 5 * HOUR, 1800),),
    )


def _solomon(name: str) -> tuple[Problem, float]:
    from solver.solomon import read_bks, read_instance, to_problem

    bks = read_bks(SOLOMON / "bks.csv")[name]
    return to_problem(read_instance(SOLOMON / f"{name}.txt")), float(bks.distance)


def _run(problem: Problem, params: SolveParams) -> tuple[int, int, bool, float]:
    started = time.perf_counter()
    solution = solve_ortools(problem, params)
    seconds = time.perf_counter() - started
    ok = not hard(validate(problem, solution))
    return objective(problem, solution), len(solution.unassigned), ok, seconds


def _run_solve(problem: Problem, params: SolveParams) -> tuple[int, int, bool, float]:
    """Like ``_run`` but through ``solve()`` (the race, when ``params.workers`` > 1)."""
    started = time.perf_counter()
    solution = solve(problem, params)
    seconds = time.perf_counter() - started
    ok = not hard(validate(problem, solution))
    return objective(problem, solution), len(solution.unassigned), ok, seconds


def strategies(args: argparse.Namespace) -> None:
    """Mean gap to BKS on a Solomon sample and to the best config on field instances."""
    field = [field_problem(args.jobs, args.vehicles, seed) for seed in range(args.seeds)]
    field_results: dict[str, list[int]] = {}
    for first, meta, lp in CONFIGS:
        params = SolveParams(args.seconds, workers=1).tuned(
            first_solution=first, metaheuristic=meta, schedule_lp=lp
        )
        gaps, infeasible = [], 0
        for name in args.instances:
            problem, bks = _solomon(name)
            cost, unassigned, ok, _ = _run(problem, params)
            infeasible += int(unassigned > 0 or not ok)
            gaps.append(100.0 * (cost / 10.0 - bks) / bks if unassigned == 0 else float("nan"))
        field_results[f"{first}+{meta}+lp={lp}"] = [_run(p, params)[0] for p in field]
        shown = " ".join(f"{g:5.2f}" for g in gaps)
        mean = statistics.fmean(g for g in gaps if g == g) if infeasible < len(gaps) else 0.0
        label = f"{first:28s} {meta:20s} lp={lp!s:5s}"
        print(f"{label} solomon mean {mean:5.2f}% [{shown}] infeasible {infeasible}")
    best = [min(r[i] for r in field_results.values()) for i in range(args.seeds)]
    for key, costs in field_results.items():
        gap = statistics.fmean(100.0 * (c - b) / b for c, b in zip(costs, best, strict=True))
        print(f"field {key:50s} mean gap to best config {gap:6.2f}%")


def prune(args: argparse.Namespace) -> None:
    """The same problem with and without the nearest-K pruning."""
    problem = field_problem(args.jobs, args.vehicles, seed=0, size_km=args.size_km)
    for label, on in (("pruned", True), ("full", False)):
        params = SolveParams(args.seconds, workers=1).tuned(
            prune_vehicles=on, prune_nearest=args.k, schedule_lp=args.lp
        )
        started = time.perf_counter()
        solution = solve_ortools(problem, params)
        seconds = time.perf_counter() - started
        d = solution.stats.details
        print(
            f"{label:7s} objective {objective(problem, solution):>12d} unassigned "
            f"{len(solution.unassigned):4d} candidate pairs {int(d.get('candidate_pairs', 0)):7d} "
            f"build {d.get('build_s', 0):5.2f}s solutions {int(d.get('solutions', 0)):5d} "
            f"wall {seconds:5.1f}s valid {not hard(validate(problem, solution))}"
        )


@contextmanager
def python_callbacks() -> Iterator[None]:
    """Swap the matrix transits for Python callbacks, for the comparison only."""
    saved_arc, saved_time = model._add_arc_costs, dimensions.add_time

    def arc(problem: Problem, layout: model.Layout, routing: Any) -> None:
        cost = model.arc_cost_matrix(problem, layout)
        manager = _MANAGER[0]
        callback = routing.RegisterTransitCallback(
            lambda i, j: int(cost[manager.IndexToNode(i), manager.IndexToNode(j)])
        )
        routing.SetArcCostEvaluatorOfAllVehicles(callback)

    def add_time(problem: Problem, layout: model.Layout, routing: Any) -> Any:
        transit = layout.node_matrix(problem.durations) + layout.service[:, None]
        manager = _MANAGER[0]
        callback = routing.RegisterTransitCallback(
            lambda i, j: int(transit[manager.IndexToNode(i), manager.IndexToNode(j)])
        )
        routing.AddDimension(callback, problem.horizon, problem.horizon, False, dimensions.TIME)
        time_dim = routing.GetDimensionOrDie(dimensions.TIME)
        if problem.time_cost > 0:
            time_dim.SetSpanCostCoefficientForAllVehicles(problem.time_cost)
        return time_dim

    saved_manager = pywrapcp.RoutingIndexManager

    def manager_factory(*a: Any) -> Any:
        _MANAGER[0] = saved_manager(*a)
        return _MANAGER[0]

    model._add_arc_costs, dimensions.add_time = arc, add_time
    pywrapcp.RoutingIndexManager = manager_factory
    try:
        yield
    finally:
        model._add_arc_costs, dimensions.add_time = saved_arc, saved_time
        pywrapcp.RoutingIndexManager = saved_manager


_MANAGER: list[Any] = [None]


def transit(args: argparse.Namespace) -> None:
    """Solutions found and objective reached in the same time, matrix vs callbacks."""
    problems = [("R201", _solomon("R201")[0]), ("field", field_problem(args.jobs, args.vehicles))]
    for name, problem in problems:
        for label in ("matrix", "callback"):
            params = SolveParams(args.seconds, workers=1)
            if label == "callback":
                with python_callbacks():
                    solution = solve_ortools(problem, params)
            else:
                solution = solve_ortools(problem, params)
            d = solution.stats.details
            print(
                f"{name:6s} {label:8s} objective {objective(problem, solution):>12d} "
                f"solutions {int(d['solutions']):6d} build {d['build_s']:.3f}s"
            )


def relax(args: argparse.Namespace) -> None:
    """Share of the time spent planning without breaks first (0 = off), same total time."""
    for seed in range(args.seeds):
        problem = field_problem(args.jobs, args.vehicles, seed=seed, size_km=args.size_km)
        row = []
        for share in (0.0, 0.2, 0.4, 0.6):
            params = SolveParams(args.seconds, workers=1).tuned(
                relax_share=share, relax_min_size=1, schedule_lp=args.lp
            )
            solution = solve_ortools(problem, params)
            cost, out = objective(problem, solution), len(solution.unassigned)
            ok = not hard(validate(problem, solution))
            d = solution.stats.details
            warm = f"warm {d.get('warm_started', 0):.0f} in {d.get('warm_start_s', 0):.2f}s"
            row.append(f"{share:.1f}: {cost:>11d} ({out} out, {warm}, {ok})")
        print(f"seed {seed} " + " | ".join(row), flush=True)


def gap(args: argparse.Namespace) -> None:
    """A field day solved by ``solve()`` in ``--seconds`` (``--workers``) and by OR-Tools alone
    in ``--long`` seconds: the gap between them."""
    for seed in range(args.seeds):
        problem = field_problem(args.jobs, args.vehicles, seed=seed, size_km=args.size_km)
        short = _run_solve(problem, SolveParams(args.seconds, workers=args.workers))
        long = _run(problem, SolveParams(args.long, workers=1))
        ratio = 100.0 * (short[0] - long[0]) / long[0]
        print(
            f"seed {seed}: {args.seconds:.0f}s {short[0]:>11d} ({short[1]} out, valid {short[2]}) "
            f"{args.long:.0f}s {long[0]:>11d} ({long[1]} out, valid {long[2]}) gap {ratio:5.2f}%",
            flush=True,
        )


def profile(args: argparse.Namespace) -> None:
    """cProfile of one medium field solve: where the wall time goes."""
    problem = field_problem(args.jobs, args.vehicles, seed=1)
    params = SolveParams(args.seconds, workers=1)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    solution = solve_ortools(problem, params)
    profiler.disable()
    print(f"wall {time.perf_counter() - started:.2f}s details {solution.stats.details}")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)


def main(argv: list[str] | None = None) -> None:
    """Run one measurement (``solve()`` may spawn: keep the ``__main__`` guard below)."""
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(required=True)
    commands: dict[str, Callable[[argparse.Namespace], None]] = {
        "strategies": strategies,
        "prune": prune,
        "transit": transit,
        "relax": relax,
        "gap": gap,
        "profile": profile,
    }
    for name, func in commands.items():
        p = sub.add_parser(name)
        p.add_argument("--seconds", type=float, default=5.0)
        p.add_argument("--long", type=float, default=60.0)
        p.add_argument("--workers", type=int, default=1)
        p.add_argument("--jobs", type=int, default=150)
        p.add_argument("--vehicles", type=int, default=16)
        p.add_argument("--seeds", type=int, default=3)
        p.add_argument("--k", type=int, default=30)
        p.add_argument("--top", type=int, default=25)
        p.add_argument("--instances", nargs="*", default=SAMPLE)
        p.add_argument("--size-km", type=float, default=2000.0)
        p.add_argument("--lp", action=argparse.BooleanOptionalAction, default=True)
        p.set_defaults(func=func)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
