"""Behaviour of solve() on small hand-made problems with known answers."""

from __future__ import annotations

import importlib.util
import time
from dataclasses import replace

import pytest

from solver import (
    Break,
    Job,
    Problem,
    Progress,
    explain,
    objective,
    solve,
    validate,
    with_next_day,
)
from solver.engine import lineup
from solver.search import solve_ortools
from solver.strategy import NobodyMoves, OrTools, Parts, RuinAndRecreate, Turns, take_turns
from solver.tuning import EngineTuning
from solver.validate import hard
from tests.solver.conftest import HOUR, Solver, problem, quick, random_problem, van


def test_job_needing_a_rare_skill_goes_to_the_only_certified_engineer(
    solve_valid: Solver,
) -> None:
    p = problem(
        [(0, 0), (10, 0)],
        [Job("x", 1, 1800, skill="xray")],
        [van("a", skills=frozenset({"yoke"})), van("b", skills=frozenset({"xray"}))],
    )
    s = solve_valid(p)
    route = s.route_of("b")
    assert route is not None and route.job_ids == ("x",)


def test_break_is_taken_inside_its_window_between_services(solve_valid: Solver) -> None:
    lunch = Break(2 * HOUR, 3 * HOUR, 1800)
    points = [(0, 0), (5, 0), (10, 0), (15, 0), (20, 0)]
    jobs = [Job(f"j{i}", i, HOUR) for i in range(1, 5)]
    s = solve_valid(problem(points, jobs, [van("a", breaks=(lunch,))]))
    (route,) = s.routes
    (taken,) = route.breaks
    assert lunch.earliest_start <= taken.start <= lunch.latest_start
    assert taken.duration == 1800
    assert all(not (st.start < taken.start + 1800 and taken.start < st.end) for st in route.stops)


def test_soft_deadline_is_met_when_possible(solve_valid: Solver) -> None:
    points = [(0, 0), (10, 0), (-10, 0)]
    jobs = [
        Job("urgent", 1, HOUR, due=1800, lateness_cost=100),
        Job("later", 2, HOUR, due=3 * HOUR, lateness_cost=100),
    ]
    p = problem(points, jobs, [van("a")])
    s = solve_valid(p)
    assert [v for v in validate(p, s) if v.kind == "late"] == []
    assert s.routes[0].job_ids == ("urgent", "later")


def test_job_is_late_only_by_what_travel_forces(solve_valid: Solver) -> None:
    p = problem(
        [(0, 0), (100, 0)],
        [Job("far", 1, HOUR, due=1800, lateness_cost=100)],
        [van("a", shift_end=10 * HOUR)],
    )
    s = solve_valid(p)
    assert s.routes[0].stops[0].start == 6000
    reason = explain(p, s)["far"]
    assert reason.code == "cannot_arrive_in_time"
    assert reason.details["late_by"] == 6000 - 1800
    assert reason.details["engineer_id"] == "a"


def _overtime_problem(drop_penalty: int, jobs: int) -> Problem:
    points = [(0, 0)] + [(1, 0)] * jobs
    p = problem(
        points,
        [Job(f"j{i}", i, HOUR, drop_penalty=drop_penalty) for i in range(1, jobs + 1)],
        [van("a", shift_end=4 * HOUR, overtime_cap=2 * HOUR, overtime_cost=1)],
    )
    return p


def test_no_overtime_when_the_shift_is_enough(solve_valid: Solver) -> None:
    p = _overtime_problem(10**6, 3)
    s = solve_valid(p)
    assert s.unassigned == ()
    assert s.routes[0].end <= 4 * HOUR


def test_overtime_is_used_when_it_saves_a_drop(solve_valid: Solver) -> None:
    p = _overtime_problem(10**6, 4)
    s = solve_valid(p)
    assert s.unassigned == ()
    assert 4 * HOUR < s.routes[0].end <= 6 * HOUR


def test_no_overtime_when_the_drop_is_cheaper(solve_valid: Solver) -> None:
    p = _overtime_problem(100, 4)
    s = solve_valid(p)
    assert len(s.unassigned) == 1
    assert s.routes[0].end <= 4 * HOUR


def test_job_released_after_every_shift_is_unassigned_with_its_reason(
    solve_valid: Solver,
) -> None:
    p = problem(
        [(0, 0), (1, 0)],
        [Job("night", 1, HOUR, release=20 * HOUR)],
        [van("a", overtime_cap=HOUR), van("b")],
    )
    s = solve_valid(p)
    assert s.unassigned == ("night",)
    assert explain(p, s)["night"].code == "outside_every_shift"


def test_first_job_is_pinned_even_when_far(solve_valid: Solver) -> None:
    points = [(0, 0), (1, 0), (50, 0)]
    jobs = [Job("near", 1, 600), Job("far", 2, 600)]
    s = solve_valid(problem(points, jobs, [van("a", first_job="far"), van("b")]))
    route = s.route_of("a")
    assert route is not None and route.job_ids[0] == "far"


def _replan(change_cost: int) -> Problem:
    points = [(0, 0), (20, 0), (5, 0), (4, 0)]
    return problem(
        points,
        [Job("a", 2, 600), Job("b", 3, 600)],
        [van("v", end_location=1)],
        previous_routes={"v": ("a", "b")},
        change_cost=change_cost,
    )


def test_change_cost_keeps_the_previous_next_stop(solve_valid: Solver) -> None:
    s = solve_valid(_replan(1000))
    assert s.routes[0].job_ids == ("a", "b")


def test_without_change_cost_the_cheaper_order_wins(solve_valid: Solver) -> None:
    s = solve_valid(_replan(0))
    assert s.routes[0].job_ids == ("b", "a")


def test_same_seed_and_solution_limit_give_identical_routes(solve_valid: Solver) -> None:
    p = random_problem(40, 4, seed=3)
    params = quick(time_limit_s=30.0, solution_limit=25, seed=7)
    first, second = solve_valid(p, params), solve_valid(p, params)
    assert [r.job_ids for r in first.routes] == [r.job_ids for r in second.routes]
    assert first.unassigned == second.unassigned
    assert first.stats.objective == second.stats.objective


def test_capacity_limits_the_route_and_explains_the_drop(solve_valid: Solver) -> None:
    points = [(0, 0), (1, 0), (2, 0), (3, 0)]
    jobs = [Job(f"j{i}", i, 600, demand=1, drop_penalty=10**5) for i in range(1, 4)]
    p = problem(points, jobs, [van("a", capacity=2)])
    s = solve_valid(p)
    assert len(s.routes[0].stops) == 2
    (dropped,) = s.unassigned
    assert explain(p, s)[dropped].code == "capacity"


def test_engineer_on_a_long_trip_sleeps_away_and_finishes_next_day(solve_valid: Solver) -> None:
    day1 = van("a", shift_start=9 * HOUR, shift_end=18 * HOUR)
    engineer = with_next_day(
        day1,
        night_start_latest=18 * HOUR,
        next_shift_start=33 * HOUR,
        next_shift_end=42 * HOUR,
    )
    p = problem([(0, 0), (333, 0)], [Job("far", 1, 2 * HOUR, drop_penalty=10**8)], [engineer])
    s = solve_valid(p)
    assert s.unassigned == ()
    assert s.routes[0].end > 33 * HOUR
    assert len(s.routes[0].breaks) == 1


def test_overtime_on_day_one_does_not_delay_the_next_morning(solve_valid: Solver) -> None:
    """Shift 9-18 h, a job ending 18:25: the night still ends at the next shift start."""
    day1 = van("a", shift_start=9 * HOUR, shift_end=18 * HOUR, overtime_cap=1500)
    engineer = with_next_day(
        day1,
        night_start_latest=18 * HOUR + 1500,
        next_shift_start=33 * HOUR,
        next_shift_end=42 * HOUR,
    )
    jobs = [
        Job("evening", 1, 3300, release=17 * HOUR + 1800, due=17 * HOUR + 1800, hard_due=True),
        Job("morning", 2, HOUR, release=20 * HOUR, drop_penalty=10**8),
    ]
    s = solve_valid(problem([(0, 0), (30, 0), (50, 0)], jobs, [engineer]))
    (route,) = s.routes
    assert route.job_ids == ("evening", "morning")
    assert route.stops[0].end == 18 * HOUR + 1500
    night = next(b for b in route.breaks if b.start >= 18 * HOUR)
    assert night.start + night.duration == 33 * HOUR
    assert route.stops[1].arrival == 33 * HOUR + 1200


def test_unreachable_mandatory_job_still_returns_a_plan(solve_valid: Solver) -> None:
    p = problem(
        [(0, 0), (1, 0), (1000, 0)],
        [Job("ok", 1, 600), Job("moon", 2, 600, due=HOUR, hard_due=True)],
        [van("a")],
    )
    s = solve_valid(p)
    assert s.unassigned == ("moon",)
    assert explain(p, s)["moon"].code == "cannot_arrive_in_time"


def test_reported_objective_matches_the_independent_recomputation(solve_valid: Solver) -> None:
    p = random_problem(30, 3, seed=1)
    ortools = solve_ortools(p, quick())
    assert ortools.stats.engine == "ortools"
    assert ortools.stats.objective == objective(p, ortools)
    s = solve_valid(p)
    assert s.stats.objective == objective(p, s) <= ortools.stats.objective


def test_progress_is_reported_with_improving_objectives(solve_valid: Solver) -> None:
    seen: list[Progress] = []
    solve_valid(random_problem(20, 2, seed=2), quick(solution_limit=30, on_progress=seen.append))
    assert seen
    objectives = [p.objective for p in seen]
    assert objectives == sorted(objectives, reverse=True)
    assert all(p.solutions >= 1 and p.elapsed_s >= 0 for p in seen)


def test_an_impossible_pin_still_returns_a_plan() -> None:
    p = problem(
        [(0, 0), (1000, 0)],
        [Job("moon", 1, 600, due=HOUR, hard_due=True)],
        [van("a", first_job="moon")],
    )
    s = solve(p, quick(time_limit_s=1.0))
    assert s.unassigned == ("moon",)
    assert s.stats.status == "no_solution"
    assert {v.kind for v in validate(p, s)} == {"first_job"}


def test_replan_moves_only_who_must_for_an_urgent_job(solve_valid: Solver) -> None:
    points = [(0, 0), (10, 0), (-10, 0), (12, 0), (-12, 0), (11, 1)]
    jobs = [
        Job("a1", 1, HOUR),
        Job("b1", 2, HOUR),
        Job("a2", 3, HOUR),
        Job("b2", 4, HOUR),
        Job("urgent", 5, HOUR, due=1200, lateness_cost=1000),
    ]
    p = problem(
        points,
        jobs,
        [van("a"), van("b")],
        previous_routes={"a": ("a1", "a2"), "b": ("b1", "b2")},
        change_cost=50_000,
    )
    s = solve_valid(p)
    firsts = {r.vehicle_id: r.job_ids[0] for r in s.routes}
    assert len(firsts) == 2
    assert sorted(firsts.values()) in (["a1", "urgent"], ["b1", "urgent"])
    assert s.stats.objective == objective(p, s)


@pytest.mark.slow
def test_race_with_hgs_returns_the_better_valid_plan(solve_valid: Solver) -> None:
    points = [(0, 0)] + [(float(i % 5) * 3, float(i // 5) * 3) for i in range(1, 13)]
    jobs = [
        Job(f"c{i}", i, 300, release=0, due=6 * HOUR, hard_due=True, demand=1) for i in range(1, 13)
    ]
    vehicles = [van(f"v{k}", capacity=5) for k in range(4)]
    p = problem(points, jobs, vehicles)
    s = solve_valid(p, quick(time_limit_s=2.5, solution_limit=None, workers=2))
    assert s.unassigned == ()
    hgs_available = importlib.util.find_spec("solver.hgs") is not None
    assert s.stats.details["candidate_plans"] == (2.0 if hgs_available else 1.0)


def test_one_core_shares_a_plain_problem_between_ortools_and_hgs(solve_valid: Solver) -> None:
    points = [(0, 0)] + [(float(i % 5) * 3, float(i // 5) * 3) for i in range(1, 13)]
    jobs = [Job(f"c{i}", i, 300, due=6 * HOUR, hard_due=True, demand=1) for i in range(1, 13)]
    p = problem(points, jobs, [van(f"v{k}", capacity=5) for k in range(4)])
    s = solve_valid(p, quick(time_limit_s=1.0, solution_limit=None, workers=1))
    assert s.unassigned == ()
    assert s.stats.details["candidate_plans"] == 2.0
    assert s.stats.objective == objective(p, s)


def homes_apart_and_together() -> tuple[Problem, Problem]:
    """A field day with engineers at three bases, and the same day with all at one."""
    several_homes = random_problem(20, 3, seed=6)
    at_base = tuple(replace(v, start_location=0, end_location=0) for v in several_homes.vehicles)
    return several_homes, replace(several_homes, vehicles=at_base)


@pytest.mark.slow
def test_a_short_field_solve_races_ruin_and_recreate_on_the_second_core(
    solve_valid: Solver,
) -> None:
    several_homes, _ = homes_apart_and_together()
    s = solve_valid(several_homes, quick(time_limit_s=2.5, solution_limit=None, workers=2))
    assert s.stats.details["candidate_plans"] == 4.0
    assert s.stats.engine == "ruin-recreate"


def names(turns: Turns) -> list[str]:
    return [strategy.name for strategy, _ in turns]


def test_what_each_worker_runs_depends_on_the_problem() -> None:
    params = quick(time_limit_s=20.0, solution_limit=None, workers=2)
    several_homes, one_home = homes_apart_and_together()
    race = lineup(several_homes, params)
    assert names(race.here) == ["parts", "ruin-recreate"]
    assert names(race.second) == ["ortools", "ruin-recreate"]
    other = lineup(one_home, params).second
    assert names(other) == ["ortools", "ruin-recreate"]
    assert isinstance(other[0][0], OrTools)
    assert other[0][0].first_solution == "LOCAL_CHEAPEST_INSERTION"
    assert lineup(several_homes, replace(params, workers=1)).second == ()
    assert lineup(several_homes, replace(params, time_limit_s=1.0)).second == ()


def test_turns_end_at_increasing_shares_of_the_time() -> None:
    several_homes, _ = homes_apart_and_together()
    for workers in (1, 2):
        race = lineup(several_homes, quick(time_limit_s=20.0, solution_limit=None, workers=workers))
        for turns in (race.here, race.second):
            shares = [share for _, share in turns]
            assert shares == sorted(shares) and (not shares or shares[-1] == 1.0)


def test_a_deterministic_run_has_one_worker_and_counted_turns() -> None:
    several_homes, _ = homes_apart_and_together()
    race = lineup(several_homes, quick(solution_limit=10, workers=2))
    assert names(race.here) == ["parts", "ruin-recreate"] and race.second == ()


def test_a_replan_starts_from_one_model_not_from_parts() -> None:
    several_homes, _ = homes_apart_and_together()
    replan = replace(several_homes, previous_routes={"v0": ("j0",)}, change_cost=100)
    for limit in (3.0, 10.0):
        race = lineup(replan, quick(time_limit_s=limit, solution_limit=None, workers=2))
        assert names(race.here) == ["ortools", "ruin-recreate"]
        assert names(race.second) == ["ortools", "ruin-recreate"]


def test_under_a_short_limit_ruin_and_recreate_makes_its_own_first_plan() -> None:
    several_homes, one_home = homes_apart_and_together()
    for day in (several_homes, one_home):
        for limit in (3.0, 10.0):
            race = lineup(day, quick(time_limit_s=limit, solution_limit=None, workers=2))
            assert names(race.here) == ["nobody-moves", "ruin-recreate"]
            assert names(race.second) == ["nobody-moves", "ruin-recreate"]
    counted = lineup(several_homes, quick(time_limit_s=3.0, solution_limit=10, workers=2))
    assert names(counted.here) == ["parts", "ruin-recreate"]


def test_ruin_and_recreate_from_nobody_moving_serves_jobs() -> None:
    _, one_home = homes_apart_and_together()
    params = quick(time_limit_s=2.0, solution_limit=5, workers=1)
    empty, plan = take_turns(
        one_home, params, ((NobodyMoves(), 0.0), (RuinAndRecreate(), 1.0)), time.time() + 2
    )
    assert not empty.routes and len(empty.unassigned) == len(one_home.jobs)
    assert len(plan.unassigned) < len(one_home.jobs)
    assert hard(validate(one_home, plan)) == []


def test_ruin_and_recreate_splits_a_limit_into_independent_attempts() -> None:
    tune = EngineTuning()
    assert tune.ruin_attempts(tune.attempt_s / 2) == 1
    assert tune.ruin_attempts(2 * tune.attempt_s) == min(2, tune.max_attempts)
    assert tune.ruin_attempts(1e6) == tune.max_attempts
    _, one_home = homes_apart_and_together()
    params = quick(time_limit_s=3.0, solution_limit=6, workers=1)
    _, plan = take_turns(
        one_home, params, ((NobodyMoves(), 0.0), (RuinAndRecreate(), 1.0)), time.time() + 3
    )
    assert plan.stats.details["attempts"] == tune.ruin_attempts(3.0)
    assert plan.stats.details["iterations"] <= 6
    assert hard(validate(one_home, plan)) == []


def test_a_later_turn_starts_from_the_best_plan_before_it(solve_valid: Solver) -> None:
    several_homes, _ = homes_apart_and_together()
    params = quick(time_limit_s=2.0, solution_limit=None, workers=1)
    parts, model = take_turns(
        several_homes, params, ((Parts(), 0.5), (OrTools(), 1.0)), time.time() + 2
    )
    assert (parts.stats.engine, model.stats.engine) == ("parts", "ortools")
    assert model.stats.details["warm_started"] == 1.0
    assert objective(several_homes, model) <= objective(several_homes, parts)


def test_ruin_and_recreate_never_returns_a_worse_plan_than_its_start(
    solve_valid: Solver,
) -> None:
    several_homes, _ = homes_apart_and_together()
    params = quick(time_limit_s=3.0, solution_limit=20, workers=1)
    first, improved = take_turns(
        several_homes, params, ((OrTools(), 0.5), (RuinAndRecreate(), 1.0)), time.time() + 3
    )
    assert improved.stats.engine == "ruin-recreate"
    assert hard(validate(several_homes, improved)) == []
    assert objective(several_homes, improved) <= objective(several_homes, first)


def test_sending_an_engineer_home_is_priced_as_a_change(solve_valid: Solver) -> None:
    points = [(0, 0), (1, 0), (30, 0)]
    p = problem(
        points,
        [Job("near", 1, 600, drop_penalty=10**6)],
        [van("a"), van("b", start_location=2, end_location=2)],
        previous_routes={"b": ("near",)},
        change_cost=10_000,
    )
    s = solve_valid(p)
    assert s.route_of("b") is not None
    assert s.stats.objective == objective(p, s)
    cheap = solve_valid(replace(p, change_cost=0))
    assert cheap.route_of("a") is not None
    assert objective(p, cheap) == cheap.stats.objective + 10_000


def test_explain_gives_every_late_and_unassigned_job_a_reason(solve_valid: Solver) -> None:
    p = random_problem(30, 2, seed=9)
    s = solve_valid(p)
    reasons = explain(p, s)
    late = {v.job_id for v in validate(p, s) if v.kind == "late"}
    assert set(s.unassigned) | late == set(reasons)
    assert all(r.message for r in reasons.values())
