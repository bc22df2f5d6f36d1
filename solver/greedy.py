"""A plain greedy plan: the safety net when OR-Tools finds no first solution in time.

At 5,000 jobs / 300 engineers OR-Tools' first-solution heuristics did not finish within
minutes (``docs/solver/search.md``). This builds a valid plan in seconds: jobs by priority
(drop price), then shortest first (more jobs served per hour), then deadline, each
inserted where it adds the least cost (any candidate engineer, any position
in their route), if that is less than its drop price; routes are re-timed (breaks
included) by ``solver.repair``.

Each insertion re-times every candidate route at every position, so the cost grows with
jobs x candidates x route length: at 10,000 jobs left out by a 2 s solve in parts, the
repair alone ran 120 s. With a ``deadline`` the jobs not yet tried when it passes are left
unassigned (most urgent first, so those are the least urgent), and the plan is on time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from itertools import pairwise

from solver.problem import Job, Problem, Vehicle
from solver.repair import timed_route
from solver.solution import Route, Solution, SolveStats


@dataclass(slots=True)
class _Open:
    """A route being built: its vehicle, its jobs so far, their timed route and cost."""

    vehicle: Vehicle
    jobs: list[Job]
    route: Route | None = None
    cost: int = 0
    frozen: bool = False


def _cost(problem: Problem, vehicle: Vehicle, route: Route | None, jobs: list[Job]) -> int:
    """Distance, span, overtime and lateness of a timed route (0 for an empty one)."""
    if route is None or not route.stops:
        return 0
    path = [vehicle.start_location, *(j.location for j in jobs), vehicle.end_location]
    distance = sum(int(problem.distances[a, b]) for a, b in pairwise(path))
    late = sum(
        j.lateness_cost * max(0, s.start - j.due)
        for j, s in zip(jobs, route.stops, strict=True)
        if j.due is not None and not j.hard_due
    )
    overtime = vehicle.overtime_cost * max(0, route.end - vehicle.shift_end)
    span = problem.time_cost * (route.end - route.start)
    return problem.distance_cost * distance + span + overtime + late


def greedy_plan(
    problem: Problem,
    allowed: list[list[int]],
    start: Solution | None = None,
    deadline: float | None = None,
) -> Solution:
    """Every job inserted where it is cheapest, or left unassigned; ``allowed`` per job.

    With ``start``, its routes are kept (in order) and only the other jobs are inserted:
    the repair step of a plan solved in parts (``solver.decompose``). A ``start`` route
    the greedy clock cannot re-time (its breaks placed where the forward clock would not
    put them) is kept as it is and takes no more jobs. ``deadline`` (wall clock,
    ``time.time()``): jobs not tried by then stay unassigned.
    """
    routes = _opened(problem, start)
    positions = problem.job_positions()
    placed = {job_id for r in routes if r.route is not None for job_id in r.route.job_ids}
    todo = [j for j in problem.jobs if j.id not in placed]
    order = sorted(todo, key=lambda j: (-problem.drop_price(j), j.service, j.due or 0))
    unassigned: list[str] = []
    for job in order:
        late = deadline is not None and time.time() >= deadline
        if late or not _insert(problem, job, [routes[v] for v in allowed[positions[job.id]]]):
            unassigned.append(job.id)
    done = tuple(r.route for r in routes if r.route is not None and r.route.stops)
    stats = SolveStats(objective=0, wall_seconds=0.0, engine="greedy", status="greedy")
    return Solution(routes=done, unassigned=tuple(unassigned), stats=stats)


def _opened(problem: Problem, start: Solution | None) -> list[_Open]:
    """One open route per vehicle, holding ``start``'s route when there is one."""
    routes = [_Open(v, []) for v in problem.vehicles]
    if start is None:
        return routes
    index = {v.id: i for i, v in enumerate(problem.vehicles)}
    by_id = {job.id: job for job in problem.jobs}
    for route in start.routes:
        opened = routes[index[route.vehicle_id]]
        jobs = [by_id[job_id] for job_id in route.job_ids]
        timed = timed_route(problem, opened.vehicle, jobs)
        opened.route = route
        opened.jobs = jobs if timed is not None else []
        opened.frozen = timed is None
        opened.cost = _cost(problem, opened.vehicle, timed, jobs) if timed is not None else 0
    return routes


def _insert(problem: Problem, job: Job, candidates: list[_Open]) -> bool:
    """Insert ``job`` at its cheapest position among ``candidates``, if under its drop price."""
    best: tuple[int, _Open, list[Job], Route, int] | None = None
    for open_route in candidates:
        if open_route.frozen:
            continue
        for at in range(len(open_route.jobs), -1, -1):
            candidate = [*open_route.jobs[:at], job, *open_route.jobs[at:]]
            timed = timed_route(problem, open_route.vehicle, candidate)
            if timed is None:
                continue
            cost = _cost(problem, open_route.vehicle, timed, candidate)
            if best is None or cost - open_route.cost < best[0]:
                best = (cost - open_route.cost, open_route, candidate, timed, cost)
    if best is None or best[0] >= problem.drop_price(job):
        return False
    best[1].jobs, best[1].route, best[1].cost = best[2], best[3], best[4]
    return True
