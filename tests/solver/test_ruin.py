"""Ruin and recreate on its own: valid plans, the seed, pins and change prices respected."""

from __future__ import annotations

from solver import Problem
from solver.ruin import RuinRecreate
from solver.search import allowed_for, empty_solution
from solver.validate import hard, objective, validate
from tests.solver.conftest import pinned_re_plan, quick, random_problem


def search(p: Problem, seed: int = 0) -> RuinRecreate:
    return RuinRecreate(p, allowed_for(p, quick()), seed)


def test_from_an_empty_plan_one_move_builds_a_valid_plan_even_without_time() -> None:
    p = random_problem(20, 3, seed=2)
    plan = search(p).run(empty_solution(p, 0.0), seconds=0.0)
    assert hard(validate(p, plan)) == []
    assert len(plan.unassigned) < len(p.jobs)
    assert plan.stats.objective == objective(p, plan)


def test_same_seed_and_moves_give_the_same_plan_and_more_moves_no_worse() -> None:
    p = random_problem(15, 3, seed=8)
    start = empty_solution(p, 0.0)
    first = search(p, seed=3).run(start, 60.0, max_iterations=30)
    again = search(p, seed=3).run(start, 60.0, max_iterations=30)
    assert [r.job_ids for r in first.routes] == [r.job_ids for r in again.routes]
    assert objective(p, first) == objective(p, again)
    longer = search(p, seed=3).run(first, 60.0, max_iterations=30)
    assert objective(p, longer) <= objective(p, first)


def test_a_pinned_first_stop_stays_first_and_a_change_is_priced() -> None:
    p = pinned_re_plan()
    plan = search(p).run(empty_solution(p, 0.0), 60.0, max_iterations=40)
    assert hard(validate(p, plan)) == []
    a, b = plan.route_of("a"), plan.route_of("b")
    assert a is not None and a.job_ids[0] == "far"
    assert b is not None and b.job_ids[0] == "next"


def test_the_insertion_memo_of_the_routes_searched_agrees_with_a_fresh_scan() -> None:
    p = random_problem(20, 3, seed=4)
    rr = search(p, seed=1)
    rr.run(empty_solution(p, 0.0), 60.0, max_iterations=40)
    checked = 0
    for (v, seq), table in rr.memo_tables().items():
        base = rr.ev.cost(v, seq)
        assert base is not None
        for j, found in table.items():
            fresh = rr._scan(j, v, seq, base)
            assert found == (fresh if fresh is not None else (0, -1))
            checked += 1
    assert checked > 100


def test_one_attempt_is_the_run_itself_and_several_keep_the_best_of_their_own_runs() -> None:
    p = random_problem(18, 3, seed=5)
    start = empty_solution(p, 0.0)
    single = search(p, seed=2).run(start, 60.0, max_iterations=40)
    one = search(p, seed=2).run_attempts(start, 60.0, 40, attempts=1)
    assert [r.job_ids for r in one.routes] == [r.job_ids for r in single.routes]
    three = search(p, seed=2).run_attempts(start, 60.0, 60, attempts=3)
    again = search(p, seed=2).run_attempts(start, 60.0, 60, attempts=3)
    assert [r.job_ids for r in three.routes] == [r.job_ids for r in again.routes]
    assert three.stats.details["iterations"] == 60
    first_alone = search(p, seed=2).run(start, 60.0, max_iterations=20)
    assert hard(validate(p, three)) == []
    assert objective(p, three) <= objective(p, first_alone)
    assert three.stats.objective == objective(p, three)
