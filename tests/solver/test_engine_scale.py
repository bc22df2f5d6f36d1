"""Pruning of candidate engineers, and the break-free warm start used at scale."""

from __future__ import annotations

from solver import (
    Break,
    BreakTaken,
    Job,
    Route,
    Solution,
    SolveStats,
    Stop,
    validate,
    with_next_day,
)
from solver.greedy import greedy_plan
from solver.prune import allowed_vehicles
from solver.repair import with_breaks
from solver.search import relaxed, solve_ortools
from solver.validate import hard
from tests.solver.conftest import HOUR, Solver, problem, quick, random_problem, van

STATS = SolveStats(objective=0, wall_seconds=0.0, engine="hand", status="solved")


def test_exact_rule_removes_engineers_who_cannot_reach_the_job_in_their_day() -> None:
    p = problem(
        [(0, 0), (600, 0), (10, 0)],
        [Job("j", 2, HOUR)],
        [van("home"), van("far", start_location=1, end_location=1)],
    )
    assert allowed_vehicles(p, nearest=None) == [[0]]


def test_skills_restrict_candidates() -> None:
    p = problem(
        [(0, 0), (10, 0)],
        [Job("j", 1, HOUR, skill="pump")],
        [van("a", skills=frozenset({"valve"})), van("b", skills=frozenset({"pump"}))],
    )
    assert allowed_vehicles(p, nearest=None) == [[1]]


def test_nearest_rule_keeps_the_k_engineers_who_can_start_earliest() -> None:
    points = [(float(k * 10), 0.0) for k in range(5)] + [(0.0, 1.0)]
    vans = [van(f"v{k}", start_location=k, end_location=k) for k in range(5)]
    p = problem(points, [Job("j", 5, 600)], vans)
    assert allowed_vehicles(p, nearest=2) == [[0, 1]]
    assert allowed_vehicles(p, nearest=None) == [[0, 1, 2, 3, 4]]


def test_nearest_rule_breaks_ties_by_position_and_lists_positions_in_order() -> None:
    points = [(30.0, 0.0), (0.0, 0.0), (20.0, 0.0), (10.0, 0.0)]
    vans = [van(f"v{k}", start_location=k, end_location=k) for k in range(3)]
    p = problem(points, [Job("j", 3, 600)], vans)
    assert allowed_vehicles(p, nearest=2) == [[1, 2]]
    assert allowed_vehicles(p, nearest=1) == [[1]]


def test_pinned_job_is_allowed_only_on_its_vehicle() -> None:
    p = problem([(0, 0), (1, 0)], [Job("j", 1, 600)], [van("a"), van("b", first_job="j")])
    assert allowed_vehicles(p, nearest=None) == [[1]]


def test_relaxed_problem_has_no_breaks_and_shorter_shifts() -> None:
    p = random_problem(10, 2)
    r = relaxed(p)
    assert all(v.breaks == () for v in r.vehicles)
    assert [v.shift_end for v in r.vehicles] == [v.shift_end - 1800 for v in p.vehicles]


def test_warm_start_from_the_relaxed_plan_gives_a_valid_plan(solve_valid: Solver) -> None:
    p = random_problem(30, 3, seed=4)
    s = solve_ortools(p, quick(relax_share=0.5, relax_min_size=1, solution_limit=None))
    assert hard(validate(p, s)) == []
    assert s.stats.details["warm_started"] == 1.0


def test_pruned_solve_of_a_larger_problem_is_valid(solve_valid: Solver) -> None:
    p = random_problem(120, 12, seed=5)
    s = solve_ortools(p, quick(prune_min_size=50, prune_nearest=4, solution_limit=30))
    assert hard(validate(p, s)) == []
    full = 120 * 12
    assert s.stats.details["candidate_pairs"] < full


def test_repair_places_the_break_and_passes_the_validator() -> None:
    lunch = Break(2 * HOUR, 3 * HOUR, 1800)
    p = problem(
        [(0, 0), (10, 0), (20, 0)],
        [Job("a", 1, 2 * HOUR), Job("b", 2, HOUR)],
        [van("v", breaks=(lunch,))],
    )
    plain = Solution((Route("v", (Stop("a", 0, 0, 0), Stop("b", 0, 0, 0)), 0, 0),), (), STATS)
    fixed = with_breaks(p, plain)
    assert validate(p, fixed) == []
    (route,) = fixed.routes
    assert route.job_ids == ("a", "b")
    # taken on arrival at b while the engineer would wait anyway: b starts after it
    assert route.breaks == (BreakTaken(2 * HOUR + 1200, 1800),)
    assert route.stops[1].start == 2 * HOUR + 3000


def test_repair_drops_the_last_stops_that_no_longer_fit() -> None:
    lunch = Break(HOUR, HOUR, 3 * HOUR)
    p = problem(
        [(0, 0), (1, 0), (2, 0)],
        [Job("a", 1, 30 * 60), Job("b", 2, 4 * HOUR)],
        [van("v", breaks=(lunch,), shift_end=6 * HOUR)],
    )
    plain = Solution((Route("v", (Stop("a", 0, 0, 0), Stop("b", 0, 0, 0)), 0, 0),), (), STATS)
    fixed = with_breaks(p, plain)
    assert hard(validate(p, fixed)) == []
    assert fixed.unassigned == ("b",)


def test_repair_ends_the_night_at_the_next_shift_start_after_overtime() -> None:
    day1 = van("v", shift_end=8 * HOUR, overtime_cap=HOUR)
    two_days = with_next_day(
        day1, night_start_latest=9 * HOUR, next_shift_start=24 * HOUR, next_shift_end=32 * HOUR
    )
    p = problem([(0, 0), (10, 0), (20, 0)], [Job("a", 1, 8 * HOUR), Job("b", 2, HOUR)], [two_days])
    plain = Solution((Route("v", (Stop("a", 0, 0, 0), Stop("b", 0, 0, 0)), 0, 0),), (), STATS)
    fixed = with_breaks(p, plain)
    assert hard(validate(p, fixed)) == []
    (route,) = fixed.routes
    # the engineer reaches b after overtime, stays the night there and starts at 09:00
    assert route.breaks == (BreakTaken(8 * HOUR + 1200, 16 * HOUR - 1200),)
    assert route.stops[1].arrival == 8 * HOUR + 1200
    assert route.stops[1].start == 24 * HOUR


def test_first_solution_is_chosen_by_problem_kind_and_size() -> None:
    field = random_problem(10, 2)
    plain = problem([(0, 0), (1, 0)], [Job("j", 1, 60, due=HOUR, hard_due=True)], [van("v")])
    params = quick()
    assert params.first_solution_for(field) == "PARALLEL_CHEAPEST_INSERTION"
    assert params.first_solution_for(plain) == "PATH_CHEAPEST_ARC"
    assert quick(large_size=5).first_solution_for(field) == "PATH_CHEAPEST_ARC"
    assert quick(first_solution="SAVINGS").first_solution_for(field) == "SAVINGS"


def test_greedy_plan_is_valid_and_serves_what_fits() -> None:
    p = random_problem(40, 4, seed=8)
    plan = greedy_plan(p, allowed_vehicles(p, nearest=None))
    assert hard(validate(p, plan)) == []
    assert 0 < sum(len(r.stops) for r in plan.routes) <= 40


def test_large_problems_keep_the_greedy_plan_when_ortools_has_nothing_better(
    solve_valid: Solver,
) -> None:
    p = random_problem(40, 4, seed=8)
    s = solve_valid(p, quick(large_size=10, solution_limit=5))
    assert len(s.unassigned) <= len(greedy_plan(p, allowed_vehicles(p, nearest=None)).unassigned)


def test_huge_problems_get_the_greedy_plan(solve_valid: Solver) -> None:
    p = random_problem(40, 4, seed=8)
    s = solve_valid(p, quick(large_size=10, greedy_only_size=20))
    assert s.stats.engine == "greedy"
