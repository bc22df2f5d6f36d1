"""The PyVRP engine: what it accepts, and that its plans obey the Solomon rules."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from solver.hgs import can_solve, solve_with_hgs, unsupported
from solver.params import SolveParams
from solver.problem import Break, Job, Problem, Vehicle
from solver.solomon import (
    check_routes,
    read_instance,
    route_distance_tenths,
    solution_routes,
    to_problem,
)
from solver.solution import Solution
from solver.validate import hard, validate

DATA = Path(__file__).parent / "data"
QUICK = SolveParams(time_limit_s=1.0, seed=1, workers=1)


def _line_problem(jobs: tuple[Job, ...], vehicles: tuple[Vehicle, ...]) -> Problem:
    """Four points on a line, 10 apart: depot 0, then 1, 2, 3."""
    pos = np.arange(4, dtype=np.int64) * 10
    matrix = np.abs(pos[:, None] - pos[None, :])
    return Problem(matrix, matrix.copy(), jobs, vehicles, horizon=1000)


def _jobs(**changes: object) -> tuple[Job, ...]:
    base = tuple(Job(str(i), location=i, service=5, due=500, hard_due=True) for i in (1, 2, 3))
    return (replace(base[0], **changes), *base[1:])  # type: ignore[arg-type]


VAN = Vehicle("a", 0, 0, shift_start=0, shift_end=1000)


def test_can_solve_a_plain_problem() -> None:
    assert can_solve(_line_problem(_jobs(), (VAN,)))


@pytest.mark.parametrize(
    ("problem", "reason"),
    [
        (_line_problem(_jobs(), (replace(VAN, breaks=(Break(100, 200, 30),)),)), "breaks"),
        (_line_problem(_jobs(hard_due=False, lateness_cost=100), (VAN,)), "soft deadlines"),
        (
            _line_problem(_jobs(skill="boiler"), (replace(VAN, skills=frozenset({"lift"})),)),
            "skills",
        ),
        (_line_problem(_jobs(), (replace(VAN, overtime_cap=60, overtime_cost=2),)), "overtime"),
        (_line_problem(_jobs(), (replace(VAN, first_job="1"),)), "pinned first jobs"),
    ],
)
def test_cannot_solve_what_pyvrp_cannot_express(problem: Problem, reason: str) -> None:
    assert not can_solve(problem)
    assert reason in unsupported(problem)
    assert solve_with_hgs(problem, QUICK) is None


def test_skills_every_vehicle_has_do_not_bind() -> None:
    skilled = (replace(VAN, skills=frozenset({"boiler"})),)
    assert can_solve(_line_problem(_jobs(skill="boiler"), skilled))


def test_an_unpriced_soft_due_is_ignored() -> None:
    assert can_solve(_line_problem(_jobs(hard_due=False, lateness_cost=0), (VAN,)))


def _solve(name: str) -> tuple[list[list[int]], Solution]:
    instance = read_instance(DATA / name)
    problem = to_problem(instance)
    solution = solve_with_hgs(problem, QUICK, max_iterations=300)
    assert solution is not None
    assert hard(validate(problem, solution)) == []
    routes = solution_routes(solution)
    assert check_routes(instance, routes) == []
    assert sorted(c for r in routes for c in r) == [c.number for c in instance.customers]
    assert solution.unassigned == ()
    assert solution.stats.engine == "hgs"
    return routes, solution


@pytest.mark.parametrize("name", ["C101_10.txt", "R201_10.txt", "R201_25.txt"])
def test_solves_solomon_cuts_feasibly(name: str) -> None:
    _solve(name)


def test_stop_times_follow_the_matrix_and_windows() -> None:
    instance = read_instance(DATA / "R201_25.txt")
    problem = to_problem(instance)
    _, solution = _solve("R201_25.txt")
    for route in solution.routes:
        vehicle = next(v for v in problem.vehicles if v.id == route.vehicle_id)
        here, clock = vehicle.start_location, route.start
        assert route.start >= vehicle.shift_start
        for stop in route.stops:
            job = problem.job(stop.job_id)
            assert stop.arrival == clock + problem.durations[here, job.location]
            assert stop.start == max(stop.arrival, job.release)
            assert job.due is not None and stop.start <= job.due
            assert stop.end == stop.start + job.service
            here, clock = job.location, stop.end
        assert route.end == clock + problem.durations[here, vehicle.end_location]
        assert route.end <= vehicle.shift_end


def test_objective_is_the_distance_in_tenths() -> None:
    instance = read_instance(DATA / "C101_10.txt")
    problem = to_problem(instance)
    solution = solve_with_hgs(problem, QUICK, max_iterations=200)
    assert solution is not None
    routes = solution_routes(solution)
    assert solution.stats.objective == route_distance_tenths(instance, routes)


def test_optional_jobs_that_cannot_fit_are_dropped_at_their_price() -> None:
    # job 3 is due before anyone can reach it (30 away, due at 20): optional, so dropped
    jobs = (*_jobs()[:2], Job("3", 3, service=5, due=20, hard_due=True, drop_penalty=1000))
    problem = _line_problem(jobs, (VAN,))
    solution = solve_with_hgs(problem, QUICK, max_iterations=100)
    assert solution is not None
    assert hard(validate(problem, solution)) == []
    assert solution.unassigned == ("3",)
    assert solution.stats.objective == 40 + 1000  # out to 2 and back, plus the drop price


def test_returns_none_when_a_mandatory_job_cannot_be_served() -> None:
    jobs = (*_jobs()[:2], Job("3", 3, service=5, due=20, hard_due=True))
    assert solve_with_hgs(_line_problem(jobs, (VAN,)), QUICK, max_iterations=100) is None


def test_vehicles_with_their_own_depots_and_capacities() -> None:
    jobs = tuple(Job(str(i), i, service=0, demand=4) for i in (1, 2, 3))
    vans = (
        Vehicle("small", 3, 3, 0, 1000, capacity=4),
        Vehicle("big", 0, 0, 0, 1000, capacity=8),
    )
    problem = _line_problem(jobs, vans)
    solution = solve_with_hgs(problem, QUICK, max_iterations=100)
    assert solution is not None
    assert hard(validate(problem, solution)) == []
    assert solution.unassigned == ()
    loads = {r.vehicle_id: 4 * len(r.stops) for r in solution.routes}
    assert loads.get("small", 0) <= 4 and loads.get("big", 0) <= 8
    assert solution.route_of("small") is not None  # job 3 sits on the small van's depot


def test_empty_problem_gives_an_empty_plan() -> None:
    solution = solve_with_hgs(_line_problem((), (VAN,)), QUICK)
    assert solution is not None
    assert solution.routes == () and solution.unassigned == ()


def test_a_shift_past_the_horizon_is_declined_not_raised() -> None:
    late = replace(VAN, shift_start=2000, shift_end=3000)
    assert solve_with_hgs(_line_problem(_jobs(), (late,)), QUICK, max_iterations=10) is None
