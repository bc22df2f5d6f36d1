"""Read an OR-Tools assignment back into a plain ``Solution`` (no printing here).

Times follow the convention the validator checks: the arrival at a stop is the departure
from the previous one plus the travel, delayed by any break that starts before the
engineer would have arrived (a break taken on the road); the service starts at the time
dimension's cumul, which is at least the arrival and the job's release.
"""

from __future__ import annotations

from typing import Any

from solver.model import Model
from solver.solution import BreakTaken, Route, Solution, SolveStats, Stop


def arrive(departure: int, travel: int, breaks: list[BreakTaken]) -> int:
    """Arrival after a leg, breaks taken before arriving pushing it back."""
    arrival = departure + travel
    for brk in sorted(breaks, key=lambda b: b.start):
        if departure <= brk.start < arrival:
            arrival += brk.duration
    return arrival


def _breaks(model: Model, assignment: Any, vehicle: int) -> list[BreakTaken]:
    taken = [
        BreakTaken(start=int(assignment.StartValue(iv)), duration=int(assignment.DurationValue(iv)))
        for iv in model.break_intervals.get(vehicle, [])
    ]
    return sorted(taken, key=lambda b: b.start)


def _route_nodes(model: Model, assignment: Any, vehicle: int) -> list[int]:
    routing, manager = model.routing, model.manager
    nodes: list[int] = []
    index = assignment.Value(routing.NextVar(routing.Start(vehicle)))
    while not routing.IsEnd(index):
        nodes.append(manager.IndexToNode(index))
        index = assignment.Value(routing.NextVar(index))
    return nodes


def _route(model: Model, assignment: Any, vehicle: int, nodes: list[int]) -> Route:
    problem, time, routing = model.problem, model.time, model.routing
    breaks = _breaks(model, assignment, vehicle)
    departure = int(assignment.Min(time.CumulVar(routing.Start(vehicle))))
    route_start = departure
    here = problem.vehicles[vehicle].start_location
    stops: list[Stop] = []
    for node in nodes:
        job = problem.jobs[node]
        index = model.manager.NodeToIndex(node)
        arrival = arrive(departure, int(problem.durations[here, job.location]), breaks)
        start = max(int(assignment.Min(time.CumulVar(index))), arrival, job.release)
        stops.append(Stop(job.id, arrival, start, start + job.service))
        departure, here = start + job.service, job.location
    end_location = problem.vehicles[vehicle].end_location
    back = arrive(departure, int(problem.durations[here, end_location]), breaks)
    end = max(int(assignment.Min(time.CumulVar(routing.End(vehicle)))), back)
    return Route(problem.vehicles[vehicle].id, tuple(stops), route_start, end, tuple(breaks))


def extract(model: Model, assignment: Any, stats: SolveStats) -> Solution:
    """The plain solution: non-empty routes in vehicle order, then the unassigned jobs."""
    routes: list[Route] = []
    served: set[int] = set()
    for vehicle in range(model.layout.n_vehicles):
        nodes = _route_nodes(model, assignment, vehicle)
        if nodes:
            routes.append(_route(model, assignment, vehicle, nodes))
            served.update(nodes)
    unassigned = tuple(job.id for i, job in enumerate(model.problem.jobs) if i not in served)
    return Solution(routes=tuple(routes), unassigned=unassigned, stats=stats)
