"""A day in parts as plain steps: split, solve each part anywhere, stitch (``solver.parts``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from solver import Problem, Solution, objective, solve, validate
from solver.decompose import solve_in_parts
from solver.params import PartReport, SolveParams
from solver.parts import retime, solve_part, split, stitch
from solver.validate import hard
from tests.solver.conftest import quick
from tests.solver.test_decompose import accounted, two_offices


def _day() -> tuple[Problem, SolveParams]:
    return two_offices(10, 10, east_engineers=2), quick(decompose_size=10, part_size=6, seed=3)


def test_parts_solved_apart_and_stitched_give_the_plan_of_the_in_process_path() -> None:
    problem, params = _day()
    day = split(problem, params)
    assert len(day.problems) >= 3
    apart = stitch(day, [solve_part(p, params, params.time_limit_s) for p in day.problems], None)
    in_process = solve_in_parts(problem, params)
    assert hard(validate(problem, apart)) == []
    assert apart.routes == in_process.routes
    assert apart.unassigned == in_process.unassigned
    assert apart.stats.objective == objective(problem, in_process)


class _Recorder:
    """A parts executor that solves the parts itself, losing the ones it is told to."""

    def __init__(self, lose: set[int]) -> None:
        self.lose = lose
        self.calls = 0

    def __call__(
        self,
        problems: Sequence[Problem],
        params: SolveParams,
        deadline: float,
        report: PartReport | None,
    ) -> list[Solution | None]:
        self.calls += 1
        assert params.parts is None or params.parts is self
        return [
            None if k in self.lose else solve_part(p, params, params.time_limit_s)
            for k, p in enumerate(problems)
        ]


def test_solve_hands_the_parts_to_the_executor_of_the_params() -> None:
    problem, params = _day()
    executor = _Recorder(lose=set())
    plan = solve(problem, replace(params, parts=executor))
    assert executor.calls == 1
    assert plan.routes == solve(problem, params).routes


def test_a_part_the_executor_lost_is_left_to_the_repair_and_every_job_is_accounted() -> None:
    problem, params = _day()
    plan = solve_in_parts(problem, replace(params, parts=_Recorder(lose={0})))
    assert plan.stats.details["parts_lost"] == 1
    assert hard(validate(problem, plan)) == []
    assert set(accounted(problem, plan).values()) == {1}


def test_re_timing_keeps_every_route_s_stops_and_never_costs_more() -> None:
    problem, params = _day()
    plan = solve(problem, params.tuned(decompose_size=10**6))
    again = retime(problem, plan)
    assert [r.job_ids for r in again.routes] == [r.job_ids for r in plan.routes]
    assert hard(validate(problem, again)) == []
    assert objective(problem, again) <= objective(problem, plan)
