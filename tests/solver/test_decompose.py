"""Solving large problems in parts: partition, areas, sub-problems, stitching and repair."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np

from solver import (
    Job,
    Problem,
    Progress,
    Route,
    Solution,
    SolveStats,
    Stop,
    objective,
    solve,
    validate,
)
from solver.areas import split_group
from solver.decompose import assign_homes, deal, partition, solve_in_parts, subproblem
from solver.greedy import greedy_plan
from solver.parts import split
from solver.prune import allowed_vehicles
from solver.validate import hard
from tests.solver.conftest import HOUR, matrix, quick, van


def two_offices(jobs_west: int, jobs_east: int, *, east_engineers: int = 1) -> Problem:
    """Office West at (0, 0) with one engineer, office East 30 km away; jobs around each."""
    points = [(0.0, 0.0), (30.0, 0.0)]
    jobs: list[Job] = []
    for k in range(jobs_west + jobs_east):
        x = 0.0 if k < jobs_west else 30.0
        points.append((x + (k % 5), float(k // 5 % 4)))
        jobs.append(Job(f"j{k}", len(points) - 1, 45 * 60, drop_penalty=10**7))
    vehicles = [van("w0")] + [
        van(f"e{k}", start_location=1, end_location=1) for k in range(east_engineers)
    ]
    m = matrix(points)
    return Problem(m, m.copy(), tuple(jobs), tuple(vehicles), horizon=2 * 24 * HOUR)


def accounted(p: Problem, s: Solution) -> Counter[str]:
    """How many times each job id appears in the plan, routed or unassigned."""
    return Counter([j for r in s.routes for j in r.job_ids] + list(s.unassigned))


def test_each_job_joins_the_office_of_its_nearest_engineer() -> None:
    p = two_offices(4, 3)
    parts = partition(p, allowed_vehicles(p, nearest=None), part_size=100)
    by_vehicles = {part.vehicles: set(part.jobs) for part in parts}
    assert by_vehicles == {(0,): {0, 1, 2, 3}, (1,): {4, 5, 6}}


def test_ties_in_earliest_start_go_to_the_nearest_engineer() -> None:
    # Both engineers could be there long before the call: the near one takes it.
    p = two_offices(0, 1)
    released = Problem(
        p.durations,
        p.distances,
        (Job("late-call", p.jobs[0].location, 600, release=5 * HOUR),),
        p.vehicles,
        horizon=p.horizon,
    )
    east = released.vehicles[1].end_location
    assert assign_homes(released, [[0, 1]])[east] == [0]


def test_a_full_office_hands_its_least_urgent_jobs_to_a_neighbour_with_room() -> None:
    # West's one engineer has 8 h; twelve 45-minute jobs (9 h) do not fit.
    p = two_offices(12, 0)
    urgent = tuple(replace(j, drop_penalty=10**9) if k < 6 else j for k, j in enumerate(p.jobs))
    p = replace(p, jobs=urgent)
    homes = assign_homes(p, allowed_vehicles(p, nearest=None))
    west, east = homes[0], homes[1]
    assert len(east) > 0 and len(west) + len(east) == 12
    assert set(range(6)) <= set(west)


def test_jobs_nobody_may_serve_are_in_no_part() -> None:
    p = two_offices(2, 0)
    skilled = Problem(
        p.durations,
        p.distances,
        (*p.jobs, Job("pump", 2, 600, skill="pump")),
        tuple(replace(v, skills=frozenset({"valve"})) for v in p.vehicles),
        horizon=p.horizon,
    )
    allowed = allowed_vehicles(skilled, nearest=None)
    jobs = [i for part in partition(skilled, allowed, 100) for i in part.jobs]
    assert sorted(jobs) == [0, 1]


def test_a_big_office_is_split_into_areas_each_job_once_with_a_certified_engineer() -> None:
    rng = np.random.default_rng(3)
    points = [(0.0, 0.0), *((float(x), float(y)) for x, y in rng.uniform(-20, 20, (40, 2)))]
    skills = ["a", "b"]
    jobs = [Job(f"j{k}", k + 1, 1800, skill=skills[k % 2]) for k in range(40)]
    vehicles = [van(f"v{k}", skills=frozenset({skills[k % 2]})) for k in range(4)]
    m = matrix(points)
    p = Problem(m, m.copy(), tuple(jobs), tuple(vehicles), horizon=2 * 24 * HOUR)
    allowed = allowed_vehicles(p, nearest=None)
    areas = split_group(p, allowed, [0, 1, 2, 3], list(range(40)), part_size=20)
    assert len(areas) == 2
    assert sorted(i for _, area in areas for i in area) == list(range(40))
    assert sorted(v for crew, _ in areas for v in crew) == [0, 1, 2, 3]
    for crew, area in areas:
        assert len(area) <= 22
        assert all(set(allowed[i]) & set(crew) for i in area)


def test_a_subproblem_keeps_travel_times_and_history_of_its_own_engineers() -> None:
    p = two_offices(3, 3)
    p = Problem(
        p.durations,
        p.distances,
        p.jobs,
        p.vehicles,
        horizon=p.horizon,
        previous_routes={"w0": ("j1",), "e0": ("j4",)},
        change_cost=100,
    )
    parts = partition(p, allowed_vehicles(p, nearest=None), 10)
    (west,) = [part for part in parts if 0 in part.vehicles]
    sub = subproblem(p, west)
    assert [j.id for j in sub.jobs] == ["j0", "j1", "j2"]
    assert dict(sub.previous_routes) == {"w0": ("j1",)}
    home = sub.vehicles[0].start_location
    for job, original in zip(sub.jobs, p.jobs[:3], strict=True):
        assert sub.durations[home, job.location] == p.durations[0, original.location]


def test_the_repair_gives_a_part_s_left_out_job_to_another_part_s_engineer() -> None:
    p = two_offices(12, 0, east_engineers=1)
    west_only = Route("w0", (Stop("j0", 0, 0, 0), Stop("j1", 0, 0, 0)), 0, 0)
    start = Solution((west_only,), (), SolveStats(0, 0.0, "hand", "stitched"))
    plan = greedy_plan(p, allowed_vehicles(p, nearest=None), start=start)
    assert hard(validate(p, plan)) == []
    east = plan.route_of("e0")
    assert east is not None and len(east.stops) > 0


def test_greedy_from_given_routes_keeps_them_and_inserts_the_rest() -> None:
    p = two_offices(3, 0)
    kept = Route("w0", (Stop("j2", 0, 0, 0), Stop("j0", 0, 0, 0)), 0, 0)
    start = Solution((kept,), (), SolveStats(0, 0.0, "hand", "stitched"))
    plan = greedy_plan(p, allowed_vehicles(p, nearest=None), start=start)
    assert hard(validate(p, plan)) == []
    (route,) = plan.routes
    assert [j for j in route.job_ids if j != "j1"] == ["j2", "j0"]
    assert "j1" in route.job_ids


def test_an_overloaded_office_hands_work_to_its_idle_neighbour() -> None:
    # Twelve 45-minute jobs at West: more than one 8-hour day; East has no jobs of its own.
    p = two_offices(12, 0, east_engineers=1)
    s = solve_in_parts(p, quick(part_size=100))
    assert hard(validate(p, s)) == []
    assert set(accounted(p, s).values()) == {1}
    east = s.route_of("e0")
    assert east is not None and len(east.stops) > 0
    assert s.stats.details["unassigned_after_parts"] >= len(s.unassigned)


def test_solve_uses_parts_from_the_threshold_and_returns_a_valid_plan() -> None:
    p = two_offices(10, 10, east_engineers=2)
    s = solve(p, quick(decompose_size=10, part_size=6))
    assert hard(validate(p, s)) == []
    assert s.stats.engine == "parts"
    assert s.stats.details["parts"] >= 3
    assert set(accounted(p, s).values()) == {1}


def test_parts_run_in_two_processes_and_still_give_a_valid_plan() -> None:
    p = two_offices(10, 10, east_engineers=2)
    s = solve(p, quick(decompose_size=10, workers=2, solution_limit=None, time_limit_s=3.0))
    assert hard(validate(p, s)) == []
    # A loaded machine may start the child too late for its parts to come back (they go
    # to the repair then): a timing matter, not asserted. The parts solved here never are.
    parts = [len(part.jobs) for part in split(p, quick(decompose_size=10, workers=2)).parts]
    here = deal(parts, 2)[0]
    assert s.stats.details["parts_lost"] <= len(parts) - len(here)
    assert set(accounted(p, s).values()) == {1}
    assert len(s.unassigned) < len(p.jobs)


def test_parts_are_dealt_to_workers_largest_first_in_even_loads() -> None:
    assert deal([5, 1, 4, 2, 3], 2) == [[0, 3, 1], [2, 4]]
    assert deal([7], 3) == [[0]]
    assert deal([], 2) == []


def test_a_solve_in_parts_reports_progress_after_each_part() -> None:
    p = two_offices(10, 10, east_engineers=2)
    heard: list[Progress] = []
    s = solve(p, quick(decompose_size=10, part_size=6, on_progress=heard.append))
    assert len(heard) == s.stats.details["parts"]
    objectives = [progress.objective for progress in heard]
    assert objectives == sorted(objectives, reverse=True)
    assert objectives[0] < sum(p.drop_price(job) for job in p.jobs)
    assert objectives[-1] >= objective(p, s)
