"""A large day in parts, as three plain steps any executor can drive.

1. ``split``: the day's parts (``partition``) and each part as a ``Problem`` of its own
   (``subproblem``).
2. ``solve_part``: one part's plan, a pure function of the part's problem, the solve
   parameters and its time: it may run in this process, a child process or on another
   machine (``dispatch.tasks.parts`` sends parts to queue workers).
3. ``stitch``: the parts' routes as one plan of the whole day, the jobs no part served
   offered to every candidate engineer (``greedy_plan``), then every route re-timed
   exactly (``solver.routes_eval``).

A large day may be an outline (``solver.outline``): its travel is computed pair by pair.
Its parts are outlines of their own points, filled in by ``solve_part`` where they are
solved; the stitch computes the pairs its repair can read in one go first.

Partition (``partition``): engineers are grouped by where their routes end (their home
office); each job joins the group of the candidate engineer who could start it earliest
(skills and reach as in ``solver.prune``; the nearest on ties), unless that home's
working time is used up and another candidate home has room (``assign_homes``). A group
with more than ``part_size`` jobs is split into areas around far-apart seeds, its
engineers dealt round-robin between them (``solver.areas``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from solver.areas import split_group
from solver.greedy import greedy_plan
from solver.outline import dense, is_outline, outline_part, remember
from solver.params import SolveParams
from solver.problem import IntMatrix, Job, Problem, Vehicle
from solver.prune import Fleet, allowed_vehicles
from solver.repair_pairs import repair_pairs
from solver.routes_eval import RouteEvaluator
from solver.search import solve_ortools
from solver.solution import Route, Solution, SolveStats
from solver.validate import hard, objective, validate


@dataclass(frozen=True, slots=True)
class Part:
    """Positions (in the whole problem) of the vehicles and jobs solved together."""

    vehicles: tuple[int, ...]
    jobs: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Split:
    """A day cut into parts: each part's positions and its problem, in the same order."""

    problem: Problem
    allowed: list[list[int]]
    parts: tuple[Part, ...]
    problems: tuple[Problem, ...]


def _working_time(vehicle: Vehicle) -> int:
    """Time the engineer can spend travelling and on site: the shift less its breaks."""
    return max(0, vehicle.shift_end - vehicle.shift_start - sum(b.duration for b in vehicle.breaks))


def _homes_by_nearness(
    problem: Problem, fleet: Fleet, job: Job, vehicles: list[int], home_of: list[int]
) -> list[tuple[int, int]]:
    """(home, travel) of the job's candidate engineers' homes, the earliest-starting first.

    Engineers who could all be there before the call are ordered by travel time.
    """
    candidates = np.array(vehicles, dtype=np.int64)
    travel = problem.durations[fleet.starts[candidates], job.location]
    ready = fleet.earliest_start(problem, job)[candidates]
    homes: dict[int, int] = {}
    for k in np.lexsort((travel, ready)):
        homes.setdefault(home_of[int(candidates[k])], int(travel[k]))
    return list(homes.items())


def assign_homes(problem: Problem, allowed: list[list[int]]) -> dict[int, list[int]]:
    """Jobs (positions) of each home, the most urgent placed first.

    A job goes to the home of the engineer who could start it earliest (nearest on
    ties), unless that home's working time is used up and another candidate home still
    has room: an overloaded office then hands work to a neighbour before the parts are
    solved, instead of dropping it in its part. A job counts its service plus the travel
    from the home's nearest candidate engineer.
    """
    fleet = Fleet.of(problem)
    home_of = [int(home) for home in fleet.ends]
    room: dict[int, int] = {}
    for vehicle in problem.vehicles:
        room[vehicle.end_location] = room.get(vehicle.end_location, 0) + _working_time(vehicle)
    jobs_of: dict[int, list[int]] = {home: [] for home in room}
    order = sorted(
        (i for i, vehicles in enumerate(allowed) if vehicles),
        key=lambda i: (-problem.drop_price(problem.jobs[i]), problem.jobs[i].due or 0, i),
    )
    for i in order:
        job = problem.jobs[i]
        homes = _homes_by_nearness(problem, fleet, job, allowed[i], home_of)
        fits = [(h, t) for h, t in homes if room[h] >= job.service + t]
        home, travel = (fits or homes)[0]
        room[home] -= job.service + travel
        jobs_of[home].append(i)
    return {home: sorted(jobs) for home, jobs in jobs_of.items()}


def partition(problem: Problem, allowed: list[list[int]], part_size: int) -> list[Part]:
    """Parts of at most about ``part_size`` jobs; jobs no vehicle may serve are in none."""
    groups: dict[int, list[int]] = {}
    for v, vehicle in enumerate(problem.vehicles):
        groups.setdefault(vehicle.end_location, []).append(v)
    jobs_of = assign_homes(problem, allowed)
    parts: list[Part] = []
    for home, members in groups.items():
        jobs = jobs_of[home]
        if not jobs:
            continue
        if len(jobs) <= part_size:
            parts.append(Part(tuple(members), tuple(jobs)))
            continue
        for vehicles, area in split_group(problem, allowed, members, jobs, part_size):
            parts.append(Part(tuple(vehicles), tuple(area)))
    return parts


def subproblem(problem: Problem, part: Part) -> Problem:
    """The part as a problem of its own: only its locations, vehicles, jobs and history."""
    jobs = [problem.jobs[i] for i in part.jobs]
    vehicles = [problem.vehicles[v] for v in part.vehicles]
    used = {j.location for j in jobs}
    used |= {loc for v in vehicles for loc in (v.start_location, v.end_location)}
    locations = sorted(used)
    index = {loc: k for k, loc in enumerate(locations)}
    durations, distances = _matrices(problem, locations)
    return replace(
        problem,
        durations=durations,
        distances=distances,
        jobs=tuple(replace(j, location=index[j.location]) for j in jobs),
        vehicles=tuple(
            replace(v, start_location=index[v.start_location], end_location=index[v.end_location])
            for v in vehicles
        ),
        previous_routes={
            v.id: problem.previous_routes[v.id] for v in vehicles if v.id in problem.previous_routes
        },
    )


def _matrices(problem: Problem, locations: list[int]) -> tuple[IntMatrix, IntMatrix]:
    """The matrices between ``locations``: copied out of a problem's, or, for an outline,
    an outline of their own, computed where the part is solved (``dense``)."""
    if is_outline(problem):
        return outline_part(problem, locations)
    grid = np.ix_(locations, locations)
    return (
        np.ascontiguousarray(problem.durations[grid]),
        np.ascontiguousarray(problem.distances[grid]),
    )


def split(problem: Problem, params: SolveParams) -> Split:
    """The day's parts of about ``part_size`` jobs, each with its own problem."""
    allowed = allowed_vehicles(problem, nearest=params.search.prune_nearest)
    parts = tuple(partition(problem, allowed, params.search.part_size))
    return Split(problem, allowed, parts, tuple(subproblem(problem, part) for part in parts))


def solve_part(problem: Problem, params: SolveParams, seconds: float) -> Solution:
    """One part's plan: OR-Tools on one core for at most ``seconds``, re-timed exactly.

    Depends on nothing but its arguments: with ``params.solution_limit`` the same part
    gives the same plan wherever it is solved. A part of an outline has its matrices
    filled in here first (``solver.outline.dense``), on whichever process solves it.
    """
    quiet = replace(params.without_callback(), time_limit_s=max(seconds, 1e-3))
    problem = dense(problem)
    return retime(problem, solve_ortools(problem, quiet))


def retime(problem: Problem, solution: Solution, keep: Sequence[Route] = ()) -> Solution:
    """Each route timed the cheapest way (``RouteEvaluator``), where that is cheaper.

    Each route is re-timed on a problem of its own vehicle and stops, so a day of any
    size is re-timed with small matrices. The stop order never changes. Routes in
    ``keep`` (already re-timed) are left as they are.
    """
    vehicles = {v.id: k for k, v in enumerate(problem.vehicles)}
    positions = problem.job_positions()
    done = set(keep)
    routes = tuple(
        route if route in done else _retimed(problem, route, vehicles[route.vehicle_id], positions)
        for route in solution.routes
    )
    return replace(solution, routes=routes)


def _retimed(problem: Problem, route: Route, vehicle: int, positions: dict[str, int]) -> Route:
    if not route.stops:
        return route
    own = dense(subproblem(problem, Part((vehicle,), tuple(positions[j] for j in route.job_ids))))
    exact = RouteEvaluator(own).route(0, tuple(range(len(route.stops))))
    if exact is None:
        return route
    stats = SolveStats(0, 0.0, "retime", "retime")
    before, after = (Solution((r,), (), stats) for r in (route, exact))
    if objective(own, after) < objective(own, before) and not hard(validate(own, after)):
        return exact
    return route


def stitch(split: Split, solutions: Sequence[Solution | None], repair_by: float | None) -> Solution:
    """One plan of the whole day from the parts' plans (``None``: a part not solved).

    Jobs no part served are offered to every candidate engineer until ``repair_by``
    (wall clock; ``None``: no clock, deterministic), then the routes the repair changed
    are re-timed (``solve_part`` re-timed the others).
    """
    routes = tuple(r for s in solutions if s is not None for r in s.routes)
    stitched = Solution(routes, (), SolveStats(0, 0.0, "parts", "stitched"))
    if is_outline(split.problem):
        remember(split.problem, *repair_pairs(split, routes))
    plan = greedy_plan(split.problem, split.allowed, start=stitched, deadline=repair_by)
    plan = retime(split.problem, plan, keep=routes)
    stats = SolveStats(objective(split.problem, plan), 0.0, "parts", "solved")
    return replace(plan, stats=stats)
