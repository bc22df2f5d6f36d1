"""Fitting one job into a plan: insertion, holds, skills, and the short repair."""

from __future__ import annotations

import numpy as np
import pytest

from solver.insertion import Insertion, Move, Plan, options
from solver.problem import Break, Job, Problem, Vehicle
from solver.repair import timed_route
from solver.solution import BreakTaken, Solution, SolveStats
from solver.validate import hard, objective, validate

# Points on a line, 10 minutes (and 10 km) apart: 0 and 6 are the two depots.
POINTS = 7
LATE = 1_000_000


def _problem(*, skill_b: str | None = "x") -> Problem:
    grid = np.array([[abs(a - b) * 10 for b in range(POINTS)] for a in range(POINTS)])
    jobs = (
        Job("a1", 1, service=30, due=40, lateness_cost=LATE),
        Job("a2", 2, service=30, due=90, lateness_cost=LATE),
        Job("new", 1, service=60, due=45, lateness_cost=LATE, skill="x"),
        Job("b1", 5, service=30, due=200, lateness_cost=LATE),
    )
    vehicles = (
        Vehicle("A", 0, 0, shift_start=0, shift_end=400, skills=frozenset({"x"})),
        Vehicle("B", 6, 6, shift_start=0, shift_end=400, skills=frozenset({skill_b or "y", "z"})),
    )
    return Problem(
        durations=grid.astype(np.int64),
        distances=(grid * 1000).astype(np.int64),
        jobs=jobs,
        vehicles=vehicles,
        horizon=500,
        time_cost=1,
    )


def _plan(problem: Problem, **kwargs: object) -> Plan:
    routes = {"A": ["a1", "a2"], "B": ["b1"]}
    return Plan(problem, routes=routes, movable=frozenset({"a1", "a2", "b1"}), **kwargs)  # type: ignore[arg-type]


def test_keys_round_trip_and_malformed_keys_are_refused() -> None:
    insertion = Insertion("E03", 2, (Move("117", "E05", 0), Move("9", "E:7", 1)))
    assert Insertion.parse(insertion.key) == insertion
    for key in ("E03", "E03:x", "E03:1+", "E03:1+9>", ":1", "E03:-1"):
        with pytest.raises(ValueError):
            Insertion.parse(key)


def test_the_repair_moves_a_stop_the_insertion_made_late() -> None:
    problem = _problem()
    plan = _plan(problem)
    best = options(plan, "new", count=2)
    assert best and best[0].insertion.vehicle_id == "A"
    assert [(m.job_id, m.vehicle_id) for m in best[0].insertion.moves] == [("a2", "B")]
    plain = plan.with_insertion("new", Insertion(best[0].insertion.vehicle_id, 1))
    assert plain is not None and best[0].objective < plain.objective
    for candidate in best:
        assert hard(validate(problem, candidate.solution)) == []
        assert candidate.objective == objective(problem, candidate.solution)


def test_a_vehicle_without_the_skill_is_never_offered() -> None:
    problem = _problem(skill_b=None)
    for candidate in options(_plan(problem), "new", count=5):
        assert candidate.insertion.vehicle_id == "A"
        routes = {r.vehicle_id: r.job_ids for r in candidate.solution.routes}
        assert "new" not in routes.get("B", ())


def test_held_stops_never_start_earlier_and_closed_positions_stay_closed() -> None:
    problem = _problem()
    plan = _plan(problem, hold={"a1": 50, "a2": 120}, earliest={"A": 1})
    for candidate in options(plan, "new", count=5):
        if candidate.insertion.vehicle_id == "A":
            assert candidate.insertion.position >= 1
        route = candidate.solution.route_of("A")
        assert route is not None
        for stop in route.stops:
            assert stop.start >= {"a1": 50, "a2": 120}.get(stop.job_id, 0)
    assert plan.with_insertion("new", Insertion("A", 0)) is None


def test_a_break_that_would_close_during_a_service_is_taken_before_it() -> None:
    """The forward clock waits for the lunch window rather than miss it on site."""
    grid = np.array([[0, 100], [100, 0]], dtype=np.int64)
    lunch = Break(earliest_start=110, latest_start=150, duration=30)
    vehicle = Vehicle("A", 0, 0, shift_start=0, shift_end=600, breaks=(lunch,))
    job = Job("j", 1, service=120)
    problem = Problem(grid, grid, (job,), (vehicle,), horizon=600)
    route = timed_route(problem, vehicle, [job])
    assert route is not None
    assert route.breaks == (BreakTaken(110, 30),) and route.stops[0].start == 140
    solution = Solution((route,), (), SolveStats(0, 0.0, "test", "test"))
    assert hard(validate(problem, solution)) == []
