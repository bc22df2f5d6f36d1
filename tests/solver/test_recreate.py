"""The compiled ruin and recreate make the same plans as the Python ones, move for move.

``Core.ruin``, ``Core.regret`` and ``Core.greedy`` (``solver/_routecost.c``) replace the
Python removals, regret loop and option scans when the core is built; they must draw the
same random numbers and break ties the same way, so a search seed makes the same plan with
and without them (``docs/solver/ruin-and-recreate.md``, sessions 6 and 8).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from solver import Job, Problem, recreate
from solver.recreate import State
from solver.routes_core import compiled_core_built
from solver.ruin import RuinRecreate
from solver.search import allowed_for, empty_solution
from solver.solution import Solution
from solver.tuning import RuinTuning
from tests.solver.conftest import problem, quick, random_problem, van

pytestmark = pytest.mark.skipif(
    not compiled_core_built(),
    reason="the compiled core is not built (pip install -e . builds it)",
)

#: The product's mix, greedy only, regret only, and the granular insertion with a local
#: pool (the last three not the product's).
MIXES = {
    "this process": RuinTuning(),
    "greedy only": RuinTuning(greedy_share=1.0, avg_removed=15),
    "regret only": RuinTuning(greedy_share=0.0),
    "granular, local pool": RuinTuning(granular=2, local_pool=True),
}


def run(
    p: Problem, tuning: RuinTuning, python_loop: bool, moves: int, cost_cache: int | None = None
) -> tuple[Solution, int]:
    """``moves`` moves from nobody moving; the plan and the route evaluations made.

    ``cost_cache``: the routes the evaluator's cost cache holds before it is emptied
    (its own size unless told).
    """
    search = RuinRecreate(p, allowed_for(p, quick()), 5, tuning)
    if cost_cache is not None:
        search.ev._cache_size = cost_cache
    if python_loop:
        search.core = None  # the Python loops over the same compiled evaluator
        search._shuffle = search.rng.shuffle
    plan = search.run(empty_solution(p, 0.0), 3600.0, moves)
    return plan, search.ev.evaluations


def same(a: Solution, b: Solution) -> bool:
    routes = [(r.vehicle_id, r.job_ids) for r in a.routes]
    return routes == [(r.vehicle_id, r.job_ids) for r in b.routes] and (
        a.unassigned == b.unassigned and a.stats.objective == b.stats.objective
    )


@pytest.mark.parametrize("mix", MIXES)
def test_the_compiled_and_python_loops_make_the_same_plan(mix: str) -> None:
    p = random_problem(40, 4, seed=11)
    fast, fast_scans = run(p, MIXES[mix], python_loop=False, moves=300)
    slow, slow_scans = run(p, MIXES[mix], python_loop=True, moves=300)
    assert same(fast, slow)
    assert fast_scans == slow_scans


def test_the_compiled_core_and_the_python_evaluator_make_the_same_plan() -> None:
    p = random_problem(30, 3, seed=3)
    fast, _ = run(p, RuinTuning(), python_loop=False, moves=300)
    slow, _ = run(p, replace(RuinTuning(), compiled=False), python_loop=False, moves=300)
    assert same(fast, slow)


def test_pins_and_change_prices_are_kept_by_the_compiled_loop() -> None:
    points = [(0, 0), (1, 0), (50, 0), (2, 0), (3, 1), (40, 2)]
    p = problem(
        points,
        [Job(name, k + 1, 600) for k, name in enumerate(["near", "far", "next", "x", "y"])],
        [van("a", first_job="far"), van("b")],
        previous_routes={"b": ("next",)},
        change_cost=10**6,
    )
    for tuning in MIXES.values():
        fast, _ = run(p, tuning, python_loop=False, moves=60)
        slow, _ = run(p, tuning, python_loop=True, moves=60)
        assert same(fast, slow)
        a = fast.route_of("a")
        assert a is not None and a.job_ids[0] == "far"


def test_the_same_plan_when_the_memo_is_emptied_often(monkeypatch: pytest.MonkeyPatch) -> None:
    """The core's copies of memo entries are dropped with the memo: same plans, same scans."""
    monkeypatch.setattr(recreate, "MEMO_ENTRIES", 300)
    p = random_problem(40, 4, seed=12)
    for tuning in MIXES.values():
        fast, fast_scans = run(p, tuning, python_loop=False, moves=200)
        slow, slow_scans = run(p, tuning, python_loop=True, moves=200)
        assert same(fast, slow)
        assert fast_scans == slow_scans


def test_the_same_plan_when_the_route_cost_cache_is_emptied_often() -> None:
    """The compiled ruin reads and fills the evaluator's cache as ``cost`` does."""
    p = random_problem(40, 4, seed=13)
    fast, fast_scans = run(p, RuinTuning(), python_loop=False, moves=200, cost_cache=40)
    slow, slow_scans = run(p, RuinTuning(), python_loop=True, moves=200, cost_cache=40)
    assert same(fast, slow)
    assert fast_scans == slow_scans


@pytest.mark.parametrize("mix", ["this process", "greedy only"])
def test_the_compiled_ruin_alone_changes_no_plan(mix: str) -> None:
    """Only the removals switched to Python: the same plan, the same route evaluations."""
    p = random_problem(40, 4, seed=14)
    fast, fast_scans = run(p, MIXES[mix], python_loop=False, moves=300)
    python_ruin = replace(MIXES[mix], compiled_ruin=False)
    slow, slow_scans = run(p, python_ruin, python_loop=False, moves=300)
    assert same(fast, slow)
    assert fast_scans == slow_scans


def priced_problem() -> Problem:
    """More jobs than the engineers can serve, at drop prices that differ (urgency counts)."""
    p = random_problem(40, 3, seed=15)
    jobs = tuple(replace(j, drop_penalty=10**6 * (1 + k % 7)) for k, j in enumerate(p.jobs))
    return replace(p, jobs=jobs)


@pytest.mark.parametrize("mix", ["this process", "greedy only"])
def test_a_whole_move_is_one_call_of_the_core_and_changes_no_plan(mix: str) -> None:
    """``Core.move`` makes every move of the product's mixes, as the calls it replaces did."""
    p = priced_problem()
    search = RuinRecreate(p, allowed_for(p, quick()), 5, MIXES[mix])
    core, moves = search.core, []

    class Counting:
        def __getattr__(self, name: str) -> object:
            return getattr(core, name)

        def move(self, *args: object) -> int:
            moves.append(1)
            change: int = core.move(*args)
            return change

    search.core = Counting()
    plan = search.run(empty_solution(p, 0.0), 3600.0, 300)
    glue, glue_scans = run(p, replace(MIXES[mix], compiled_move=False), False, moves=300)
    slow, _ = run(p, MIXES[mix], python_loop=True, moves=300)
    assert len(moves) == 300
    assert plan.unassigned and same(plan, glue) and same(plan, slow)
    assert search.ev.evaluations == glue_scans


def test_a_subclass_with_its_own_ruin_keeps_it() -> None:
    """An experiment overriding ``_ruin`` is not bypassed by ``Core.move``."""
    p = priced_problem()
    calls = []

    class Counted(RuinRecreate):
        def _ruin(self, state: State) -> list[int]:
            calls.append(1)
            return super()._ruin(state)

    plan = Counted(p, allowed_for(p, quick()), 5).run(empty_solution(p, 0.0), 3600.0, 100)
    glue, _ = run(p, replace(RuinTuning(), compiled_move=False), False, moves=100)
    assert len(calls) == 100 and same(plan, glue)
