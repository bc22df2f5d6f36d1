"""A second engine, PyVRP, for the problems it can express exactly.

OR-Tools is the modelling engine; PyVRP's hybrid genetic search lineage (an iterated local
search in PyVRP 0.14) is far stronger on plain VRPTW (Solomon: 0.22 % mean gap against
OR-Tools' 3.82 % in ``../shared/benchmarks/README.md``). This module translates a
``Problem`` into PyVRP when nothing would be lost in translation, so the engine can race
OR-Tools on the second core and the best validated plan wins. Anything PyVRP cannot
express exactly (breaks, soft deadlines, overtime, skills that bind, pinned first jobs,
re-planning prices) makes ``can_solve`` False and ``solve_with_hgs`` return ``None``.

The translation is one-to-one: PyVRP locations are the problem's matrix indices, one
client per job (same order), one depot per location where a vehicle starts or ends, and
one vehicle type per group of identical vehicles. Times and costs keep the problem's unit.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pyvrp
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, StoppingCriterion

from solver.params import SolveParams
from solver.problem import Job, Problem, Vehicle
from solver.solution import Route, Solution, SolveStats, Stop
from solver.validate import objective

ENGINE = "hgs"
_NO_DEADLINE = int(np.iinfo(np.int64).max)


def unsupported(problem: Problem) -> list[str]:
    """Why PyVRP cannot take this problem exactly (empty when it can)."""
    reasons: list[str] = []
    if not problem.vehicles:
        reasons.append("no vehicles")
    if any(v.breaks for v in problem.vehicles):
        reasons.append("breaks")
    if any(v.overtime_cap > 0 for v in problem.vehicles):
        reasons.append("overtime")
    if any(v.first_job is not None for v in problem.vehicles):
        reasons.append("pinned first jobs")
    if problem.previous_routes:
        reasons.append("previous routes")
    if any(_soft_due(j) for j in problem.jobs):
        reasons.append("soft deadlines")
    needed = {j.skill for j in problem.jobs if j.skill is not None}
    if any(v.skills is not None and not needed <= v.skills for v in problem.vehicles):
        reasons.append("skills")
    return reasons


def can_solve(problem: Problem) -> bool:
    return not unsupported(problem)


supports = can_solve
"""The name ``solver.engine`` looks up before starting the race."""


def _soft_due(job: Job) -> bool:
    return job.due is not None and not job.hard_due and job.lateness_cost > 0


def _latest_start(job: Job) -> int | None:
    """The hard window's end; a soft due at no price constrains nothing."""
    return job.due if job.due is not None and job.hard_due else None


@dataclass(frozen=True, slots=True)
class _Translation:
    """PyVRP data plus the way back: which of our vehicles each vehicle type stands for."""

    data: pyvrp.ProblemData
    type_vehicles: tuple[tuple[Vehicle, ...], ...]


def _vehicle_key(v: Vehicle) -> tuple[int, int, int, int, int | None]:
    return (v.start_location, v.end_location, v.shift_start, v.shift_end, v.capacity)


def _translate(problem: Problem) -> _Translation:
    """The problem as PyVRP ``ProblemData`` (caller has checked ``can_solve``)."""
    n = problem.distances.shape[0]
    locations = [pyvrp.Location(x=0.0, y=0.0) for _ in range(n)]
    loaded = any(j.demand for j in problem.jobs) or any(
        v.capacity is not None for v in problem.vehicles
    )
    clients = [_client(j, loaded) for j in problem.jobs]
    depot_locs = sorted(
        {loc for v in problem.vehicles for loc in (v.start_location, v.end_location)}
    )
    depots = [pyvrp.Depot(location=loc) for loc in depot_locs]
    groups: dict[tuple[int, int, int, int, int | None], list[Vehicle]] = {}
    for v in problem.vehicles:
        groups.setdefault(_vehicle_key(v), []).append(v)
    unbounded = sum(j.demand for j in problem.jobs) + 1
    types = [_vehicle_type(vs, depot_locs, loaded, unbounded, problem) for vs in groups.values()]
    matrices: list[Any] = [problem.distances]
    durations: list[Any] = [problem.durations]
    data = pyvrp.ProblemData(locations, clients, depots, types, matrices, durations)
    return _Translation(data, tuple(tuple(vs) for vs in groups.values()))


def _client(job: Job, loaded: bool) -> pyvrp.Client:
    due = _latest_start(job)
    optional = job.drop_penalty is not None
    return pyvrp.Client(
        location=job.location,
        delivery=[job.demand] if loaded else [],
        service_duration=job.service,
        tw_early=job.release,
        tw_late=_NO_DEADLINE if due is None else due,
        prize=job.drop_penalty or 0,
        required=not optional,
        name=job.id,
    )


def _vehicle_type(
    vehicles: Sequence[Vehicle],
    depot_locs: list[int],
    loaded: bool,
    unbounded: int,
    problem: Problem,
) -> pyvrp.VehicleType:
    v = vehicles[0]
    capacity = [unbounded if v.capacity is None else v.capacity] if loaded else []
    return pyvrp.VehicleType(
        num_available=len(vehicles),
        capacity=capacity,
        start_depot=depot_locs.index(v.start_location),
        end_depot=depot_locs.index(v.end_location),
        tw_early=v.shift_start,
        tw_late=min(v.shift_end, problem.horizon),
        unit_distance_cost=problem.distance_cost,
        unit_duration_cost=problem.time_cost,
    )


def _stop_criterion(params: SolveParams, max_iterations: int | None) -> StoppingCriterion:
    runtime = MaxRuntime(params.time_limit_s)
    if max_iterations is None:
        return runtime
    return MultipleCriteria([runtime, MaxIterations(max_iterations)])


def solve_with_hgs(
    problem: Problem, params: SolveParams, *, max_iterations: int | None = None
) -> Solution | None:
    """Solve with PyVRP under ``params.time_limit_s`` (and ``max_iterations`` if given).

    ``None`` when PyVRP cannot express the problem or finds no feasible solution (a
    mandatory job that no route can take makes the whole problem infeasible for PyVRP,
    unlike OR-Tools, which drops it at a price).
    """
    if not can_solve(problem):
        return None
    clock = time.perf_counter()
    if not problem.jobs:
        return _solution(problem, [], clock, iterations=0)
    try:
        translation = _translate(problem)
    except ValueError:  # PyVRP rejects the data (e.g. a shift that starts after the horizon)
        return None
    result = pyvrp.solve(
        translation.data,
        stop=_stop_criterion(params, max_iterations),
        seed=params.seed % 2**32,
        collect_stats=False,
        display=False,
    )
    if not result.is_feasible():
        return None
    routes = _routes(problem, translation, result.best)
    return _solution(problem, routes, clock, iterations=result.num_iterations)


def _routes(problem: Problem, translation: _Translation, best: pyvrp.Solution) -> list[Route]:
    pool = [list(vs) for vs in translation.type_vehicles]
    routes: list[Route] = []
    for pyvrp_route in best.routes():
        vehicle = pool[pyvrp_route.vehicle_type()].pop(0)
        jobs = [problem.jobs[a.idx] for a in pyvrp_route if a.is_client()]
        routes.append(schedule(problem, vehicle, jobs, pyvrp_route.start_time()))
    return routes


def schedule(problem: Problem, vehicle: Vehicle, jobs: Sequence[Job], depart: int) -> Route:
    """Times of a route recomputed from the duration matrix, leaving at ``depart``.

    Service starts at max(arrival, release). PyVRP's start time is the latest departure
    that keeps the route's duration minimal; it is clamped to the shift start, and if it
    would break a window (it should not) the route leaves at the shift start instead.
    """
    route = _forward(problem, vehicle, jobs, max(depart, vehicle.shift_start))
    if _fits(vehicle, jobs, route):
        return route
    return _forward(problem, vehicle, jobs, vehicle.shift_start)


def _forward(problem: Problem, vehicle: Vehicle, jobs: Sequence[Job], depart: int) -> Route:
    stops: list[Stop] = []
    here, clock = vehicle.start_location, depart
    for job in jobs:
        arrival = clock + int(problem.durations[here, job.location])
        start = max(arrival, job.release)
        clock, here = start + job.service, job.location
        stops.append(Stop(job.id, arrival, start, clock))
    end = clock + int(problem.durations[here, vehicle.end_location])
    return Route(vehicle.id, tuple(stops), depart, end)


def _fits(vehicle: Vehicle, jobs: Sequence[Job], route: Route) -> bool:
    late = any(
        (due := _latest_start(job)) is not None and stop.start > due
        for job, stop in zip(jobs, route.stops, strict=True)
    )
    return not late and route.end <= vehicle.shift_end


def _solution(problem: Problem, routes: list[Route], clock: float, iterations: int) -> Solution:
    """The plan, priced by ``solver.validate.objective`` like every engine's plan."""
    served = {s.job_id for r in routes for s in r.stops}
    unassigned = tuple(j.id for j in problem.jobs if j.id not in served)
    draft = Solution(tuple(routes), unassigned, SolveStats(0, 0.0, ENGINE, "FEASIBLE"))
    stats = SolveStats(
        objective=objective(problem, draft),
        wall_seconds=time.perf_counter() - clock,
        engine=ENGINE,
        status="FEASIBLE",
        details={"iterations": float(iterations)},
    )
    return replace(draft, stats=stats)
