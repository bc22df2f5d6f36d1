"""The OR-Tools routing model of a ``Problem``: nodes, arc costs, and the constraints.

Node numbering: job ``i`` is node ``i``; vehicle ``v`` starts at node ``J + v`` and ends
at node ``J + V + v``. Every vehicle has its own start and end nodes (even when several
share a depot), so per-vehicle prices such as the change cost can live in one shared
arc-cost matrix instead of per-vehicle Python callbacks. Each constraint is added by its
own function; the time and capacity dimensions are in ``solver.dimensions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.constraint_solver import pywrapcp

from solver import dimensions
from solver.problem import MANDATORY_PENALTY, Problem

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each job and vehicle end sits in the node numbering, and node attributes."""

    n_jobs: int
    n_vehicles: int
    location: IntArray
    service: IntArray

    @classmethod
    def of(cls, problem: Problem) -> Layout:
        vs = problem.vehicles
        location = np.array(
            [j.location for j in problem.jobs]
            + [v.start_location for v in vs]
            + [v.end_location for v in vs],
            dtype=np.int64,
        )
        service = np.zeros(len(location), dtype=np.int64)
        service[: len(problem.jobs)] = [j.service for j in problem.jobs]
        return cls(len(problem.jobs), len(vs), location, service)

    @property
    def n_nodes(self) -> int:
        return self.n_jobs + 2 * self.n_vehicles

    def start_node(self, vehicle: int) -> int:
        return self.n_jobs + vehicle

    def end_node(self, vehicle: int) -> int:
        return self.n_jobs + self.n_vehicles + vehicle

    def node_matrix(self, matrix: IntArray) -> IntArray:
        """A location matrix expanded to nodes."""
        return matrix[np.ix_(self.location, self.location)]


@dataclass(slots=True)
class Model:
    """A built routing model and what extraction needs to read it back."""

    problem: Problem
    layout: Layout
    manager: Any
    routing: Any
    time: Any
    break_intervals: dict[int, list[Any]]


def build(problem: Problem, allowed: list[list[int]]) -> Model:
    """Build the routing model; ``allowed[i]`` lists the vehicles that may serve job ``i``."""
    layout = Layout.of(problem)
    starts = [layout.start_node(v) for v in range(layout.n_vehicles)]
    ends = [layout.end_node(v) for v in range(layout.n_vehicles)]
    manager = pywrapcp.RoutingIndexManager(layout.n_nodes, layout.n_vehicles, starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    _add_arc_costs(problem, layout, routing)
    time = dimensions.add_time(problem, layout, routing)
    dimensions.add_shifts(problem, routing, time)
    dimensions.add_job_windows(problem, manager, time)
    intervals = dimensions.add_breaks(problem, layout, manager, routing, time)
    dimensions.add_capacity(problem, layout, routing)
    _add_disjunctions(problem, manager, routing)
    _add_allowed_vehicles(problem, manager, routing, allowed)
    _add_first_jobs(problem, manager, routing)
    return Model(problem, layout, manager, routing, time, intervals)


def arc_cost_matrix(problem: Problem, layout: Layout) -> IntArray:
    """Distance price of every arc, plus the change price on the arcs leaving a start.

    The change cost (SPEC §6, re-planning) is charged when a vehicle that had a previous
    plan gets a different next stop: its start node's arcs all cost ``change_cost`` more
    except the one to the previous first job still in the problem (or, when there is
    none, the one straight to its end). Sending home an engineer who had a next stop is
    a change too; ``_add_arc_costs`` makes OR-Tools charge those empty routes.
    """
    cost = problem.distance_cost * layout.node_matrix(problem.distances)
    if problem.change_cost <= 0:
        return cost
    positions = problem.job_positions()
    for v, vehicle in enumerate(problem.vehicles):
        if vehicle.id not in problem.previous_routes:
            continue
        row = layout.start_node(v)
        previous = problem.previous_first_job(vehicle.id)
        keep = layout.end_node(v) if previous is None else positions[previous]
        cost[row, :] += problem.change_cost
        cost[row, keep] -= problem.change_cost
    return cost


def priced_empty_routes(problem: Problem) -> list[int]:
    """Vehicles whose empty route costs something: they had a next stop to keep."""
    if problem.change_cost <= 0:
        return []
    return [
        v
        for v, vehicle in enumerate(problem.vehicles)
        if vehicle.id in problem.previous_routes
        and problem.previous_first_job(vehicle.id) is not None
    ]


def _add_arc_costs(problem: Problem, layout: Layout, routing: Any) -> None:
    matrix = arc_cost_matrix(problem, layout)
    callback = routing.RegisterTransitMatrix(matrix.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(callback)
    for v in priced_empty_routes(problem):
        routing.SetVehicleUsedWhenEmpty(True, v)


def _add_disjunctions(problem: Problem, manager: Any, routing: Any) -> None:
    """Every job is optional at its drop price (SPEC §5: a plan always comes back)."""
    for i, job in enumerate(problem.jobs):
        penalty = MANDATORY_PENALTY if job.drop_penalty is None else job.drop_penalty
        routing.AddDisjunction([manager.NodeToIndex(i)], penalty)


def _add_allowed_vehicles(
    problem: Problem, manager: Any, routing: Any, allowed: list[list[int]]
) -> None:
    """Skills (SPEC §5) and pruning: restrict each job to its candidate vehicles."""
    everyone = len(problem.vehicles)
    for i, vehicles in enumerate(allowed):
        index = manager.NodeToIndex(i)
        if not vehicles:
            routing.ActiveVar(index).SetValue(0)
        elif len(vehicles) < everyone:
            # SetAllowedVehiclesForIndex takes an absl::Span the 9.15 wrapper cannot
            # build from Python; -1 keeps the job droppable.
            routing.VehicleVar(index).SetValues([-1, *vehicles])


def _add_first_jobs(problem: Problem, manager: Any, routing: Any) -> None:
    """An engineer en route keeps the destination; one on site stays (issue 3)."""
    positions = problem.job_positions()
    for v, vehicle in enumerate(problem.vehicles):
        if vehicle.first_job is None:
            continue
        job_index = manager.NodeToIndex(positions[vehicle.first_job])
        routing.NextVar(routing.Start(v)).SetValues([job_index])
