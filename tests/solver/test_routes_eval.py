"""The route evaluator of ruin and recreate prices a route exactly as the objective does.

Generated days: one engineer with a lunch, sometimes a night into a second day (day-1
overtime priced), overtime, releases, soft and hard deadlines, a change price; a random
order of some of the jobs. Whenever the evaluator finds a timing, the timed route must pass
the independent validator and ``validate.objective`` must equal the evaluator's cost.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver import Break, Job, Problem, Vehicle, with_next_day
from solver.recreate import Recreate
from solver.routes_core import compiled_core_built
from solver.routes_eval import RouteEvaluator
from solver.solution import BreakTaken, Route, Solution, SolveStats, Stop
from solver.tuning import RuinTuning
from solver.validate import hard, night_overtime, objective, validate

MIN = 60


@st.composite
def days(draw: st.DrawFn) -> tuple[Problem, tuple[int, ...]]:
    n = draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    points = rng.uniform(0, draw(st.sampled_from([20, 200, 900])), (n + 2, 2))
    km = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    durations = np.rint(km).astype(np.int64)  # 1 km per minute
    jobs = []
    for i in range(n):
        release = int(rng.integers(0, 10 * MIN)) if rng.random() < 0.5 else 0
        due = release + int(rng.integers(60, 30 * MIN))
        jobs.append(
            Job(
                f"j{i}",
                i + 2,
                service=int(rng.integers(10, 150)),
                release=release,
                due=due,
                hard_due=bool(rng.random() < 0.15),
                lateness_cost=int(rng.integers(1, 1000)),
                drop_penalty=10**9,
            )
        )
    lunch = Break(3 * MIN, 4 * MIN, 60)
    vehicle = Vehicle("v", 0, 1, 0, 9 * MIN, 2 * MIN, 50, breaks=(lunch,))
    if draw(st.booleans()):
        vehicle = with_next_day(
            vehicle,
            night_start_latest=11 * MIN,
            next_shift_start=24 * MIN,
            next_shift_end=33 * MIN,
            next_breaks=(Break(27 * MIN, 28 * MIN, 60),),
        )
    previous = {"v": ("j0",)} if draw(st.booleans()) else {}
    problem = Problem(
        durations,
        durations * 1000,
        tuple(jobs),
        (vehicle,),
        horizon=40 * MIN,
        time_cost=int(rng.integers(0, 5)),
        previous_routes=previous,
        change_cost=500 if previous else 0,
    )
    order = draw(st.permutations(list(range(n))))
    return problem, tuple(order[: draw(st.integers(0, n))])


def plan_of(problem: Problem, route: Route | None, seq: tuple[int, ...]) -> Solution:
    served = {problem.jobs[j].id for j in seq}
    left = tuple(j.id for j in problem.jobs if j.id not in served)
    routes = () if route is None else (route,)
    return Solution(routes, left, SolveStats(0, 0.0, "test", "test"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days())
def test_evaluator_cost_equals_the_objective_of_the_route_it_times(
    day: tuple[Problem, tuple[int, ...]],
) -> None:
    problem, seq = day
    evaluator = RouteEvaluator(problem)
    cost = evaluator.cost(0, seq)
    if cost is None:
        return
    route = evaluator.route(0, seq)
    plan = plan_of(problem, route, seq)
    assert hard(validate(problem, plan)) == []
    drops = sum(problem.drop_price(problem.job(j)) for j in plan.unassigned)
    assert objective(problem, plan) == cost + drops


def test_every_order_of_a_feasible_day_gets_a_timing() -> None:
    """On a roomy day every order is feasible: the evaluator must not miss timings."""
    durations = np.array([[0, 30, 40], [30, 0, 20], [40, 20, 0]], dtype=np.int64)
    jobs = (Job("a", 1, 60, due=600, lateness_cost=10), Job("b", 2, 60, due=600, lateness_cost=10))
    vehicle = Vehicle("v", 0, 0, 0, 9 * MIN, breaks=(Break(120, 240, 60),))
    problem = Problem(durations, durations, jobs, (vehicle,), horizon=24 * MIN)
    evaluator = RouteEvaluator(problem)
    for seq in [(0,), (1,), (0, 1), (1, 0)]:
        assert evaluator.cost(0, seq) is not None


def test_day_one_overtime_on_a_two_day_route_is_priced_like_any_overtime() -> None:
    """Working 30 minutes past the day-1 end before the night costs 30 overtime minutes."""
    durations = np.array([[0, 10], [10, 0]], dtype=np.int64)
    job = Job("a", 1, 60, release=0)
    day1 = Vehicle("v", 0, 0, 0, 9 * MIN, overtime_cap=2 * MIN, overtime_cost=7)
    vehicle = with_next_day(
        day1, night_start_latest=11 * MIN, next_shift_start=24 * MIN, next_shift_end=33 * MIN
    )
    problem = Problem(durations, durations, (job,), (vehicle,), horizon=40 * MIN)
    night_at = 9 * MIN + 30
    route = Route(
        "v",
        (Stop("a", 8 * MIN + 30, 8 * MIN + 30, 9 * MIN + 30),),
        8 * MIN + 20,
        24 * MIN + 10,
        (BreakTaken(night_at, 24 * MIN - night_at),),
    )
    plan = Solution((route,), (), SolveStats(0, 0.0, "test", "test"))
    assert hard(validate(problem, plan)) == []
    assert night_overtime(vehicle, route) == 30
    assert objective(problem, plan) == 20 + 7 * 30


compiled_only = pytest.mark.skipif(
    not compiled_core_built(),
    reason="the compiled core is not built (pip install -e . builds it)",
)


@compiled_only
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days(), st.integers(0, 5))
def test_the_compiled_core_prices_routes_and_insertions_as_python_does(
    day: tuple[Problem, tuple[int, ...]], pick: int
) -> None:
    """Same cost for the route, and the same best insertion of a job not on it."""
    problem, seq = day
    python = RouteEvaluator(problem, compiled=False)
    compiled = RouteEvaluator(problem)
    assert compiled.core is not None
    assert compiled.core.cost(0, seq) == python.cost(0, seq)
    left = [j for j in range(len(problem.jobs)) if j not in seq]
    base = python.cost(0, seq)
    if not left or base is None:
        return
    job = left[pick % len(left)]
    slow = Recreate(problem, [[0]] * len(problem.jobs), 0, RuinTuning(compiled=False))
    fast = Recreate(problem, [[0]] * len(problem.jobs), 0, RuinTuning())
    assert fast._scan(job, 0, seq, base) == slow._scan(job, 0, seq, base)
