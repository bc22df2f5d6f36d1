"""Small hand-made problems: points in a plane, 1 km = 1 minute = 60 time units (seconds)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np
import pytest

from solver import Job, Problem, Solution, SolveParams, Vehicle, solve, validate
from solver.problem import IntMatrix
from solver.validate import hard

HOUR = 3600
DAY = 24 * HOUR

Solver = Callable[..., Solution]


def matrix(points: Sequence[tuple[float, float]]) -> IntMatrix:
    """Travel seconds (and metres / 1000) between points given in km: 1 km per minute."""
    p = np.asarray(points, dtype=float)
    km = np.hypot(p[:, None, 0] - p[None, :, 0], p[:, None, 1] - p[None, :, 1])
    out: IntMatrix = np.rint(km * 60).astype(np.int64)
    return out


def problem(
    points: Sequence[tuple[float, float]],
    jobs: Sequence[Job],
    vehicles: Sequence[Vehicle],
    **kwargs: object,
) -> Problem:
    m = matrix(points)
    return Problem(
        durations=m,
        distances=m.copy(),
        jobs=tuple(jobs),
        vehicles=tuple(vehicles),
        horizon=int(kwargs.pop("horizon", 2 * DAY)),  # type: ignore[call-overload]
        **kwargs,  # type: ignore[arg-type]
    )


def van(vid: str, **kwargs: object) -> Vehicle:
    """An engineer based at location 0 working 0-8 h unless told otherwise."""
    fields: dict[str, object] = {
        "start_location": 0,
        "end_location": 0,
        "shift_start": 0,
        "shift_end": 8 * HOUR,
    }
    fields.update(kwargs)
    return Vehicle(vid, **fields)  # type: ignore[arg-type]


def pinned_re_plan() -> Problem:
    """A re-plan: engineer a must go first to "far", 50 km out; b's next stop was "next"."""
    return problem(
        [(0, 0), (1, 0), (50, 0), (2, 0)],
        [Job("near", 1, 600), Job("far", 2, 600), Job("next", 3, 600)],
        [van("a", first_job="far"), van("b")],
        previous_routes={"b": ("next",)},
        change_cost=10**6,
    )


def random_problem(n_jobs: int, n_vehicles: int, seed: int = 0, size_km: float = 100.0) -> Problem:
    """Jobs uniformly in a square, engineers at random bases, soft deadlines, lunch breaks."""
    from solver import Break

    rng = np.random.default_rng(seed)
    points = rng.uniform(0, size_km, (n_vehicles + n_jobs, 2))
    jobs = [
        Job(
            f"j{i}",
            n_vehicles + i,
            service=int(rng.integers(30, 120)) * 60,
            due=int(rng.integers(2, 10)) * HOUR,
            lateness_cost=10,
            drop_penalty=10**7,
            skill=str(rng.choice(["a", "b", "c"])),
        )
        for i in range(n_jobs)
    ]
    vehicles = [
        Vehicle(
            f"v{k}",
            k,
            k,
            0,
            9 * HOUR,
            overtime_cap=2 * HOUR,
            overtime_cost=5,
            skills=frozenset(rng.choice(["a", "b", "c"], 2, replace=False).tolist()),
            breaks=(Break(3 * HOUR, 5 * HOUR, 1800),),
        )
        for k in range(n_vehicles)
    ]
    m = matrix([tuple(p) for p in points])
    return Problem(m, m.copy(), tuple(jobs), tuple(vehicles), horizon=2 * DAY, time_cost=1)


def quick(**kwargs: object) -> SolveParams:
    """Short, single-engine, deterministic unless told otherwise.

    Keywords that are not user controls set the solver's internal thresholds
    (``solver.tuning.SearchTuning``).
    """
    fields: dict[str, object] = {"time_limit_s": 2.0, "workers": 1, "solution_limit": 200}
    controls = {f.name for f in dataclasses.fields(SolveParams)}
    search = {k: v for k, v in kwargs.items() if k not in controls}
    fields.update({k: v for k, v in kwargs.items() if k in controls})
    return SolveParams(**fields).tuned(**search)  # type: ignore[arg-type]


@pytest.fixture
def solve_valid() -> Solver:
    """Solve and assert the plan has no hard violation."""

    def run(p: Problem, params: SolveParams | None = None) -> Solution:
        solution = solve(p, params or quick())
        assert hard(validate(p, solution)) == []
        return solution

    return run
