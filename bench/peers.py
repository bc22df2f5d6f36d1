"""Peer solvers for the Solomon comparison, each set up the way its own docs suggest.

Every peer takes a ``SolomonInstance``, a wall-clock budget and a thread count, and returns
routes as lists of customer numbers (or ``None`` when it has no feasible answer). They all
work on the same integer-tenths matrix as our engine (``floor(10 * euclid)``), so their
distances are comparable to the best-known solutions under the DIMACS convention.

- ``ortools``: the reference baseline of ``../shared/benchmarks/README.md``: OR-Tools
  routing with PARALLEL_CHEAPEST_INSERTION and GUIDED_LOCAL_SEARCH, transits registered as
  matrices (no Python callbacks). Single-threaded whatever ``threads`` says.
- ``pyvrp``: PyVRP's default solver (iterated local search in 0.14) with ``MaxRuntime``.
  Single-threaded.
- ``vroom``: pyvroom at exploration level 5 with the budget as timeout; uses ``threads``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from solver.problem import IntMatrix
from solver.solomon import SCALE, SolomonInstance, distance_matrix

Routes = list[list[int]]
Peer = Callable[[SolomonInstance, float, int, int], Routes | None]


def solve_ortools(
    instance: SolomonInstance, seconds: float, threads: int, seed: int
) -> Routes | None:
    """Plain OR-Tools: parallel cheapest insertion + GLS over matrix transits."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    del threads, seed  # the routing solver is single-threaded and deterministic
    matrix = distance_matrix(instance)
    points = instance.points
    manager = pywrapcp.RoutingIndexManager(len(points), instance.vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    distance = routing.RegisterTransitMatrix(matrix.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(distance)
    _ortools_time(routing, manager, instance, matrix)
    demand = routing.RegisterUnaryTransitVector([c.demand for c in points])
    routing.AddDimension(demand, 0, instance.capacity, True, "Load")
    params = pywrapcp.DefaultRoutingSearchParameters()
    strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.first_solution_strategy = strategy
    gls = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.local_search_metaheuristic = gls
    params.time_limit.FromMilliseconds(int(seconds * 1000))
    assignment = routing.SolveWithParameters(params)
    if assignment is None:
        return None
    return _ortools_routes(routing, manager, assignment, instance)


def _ortools_time(routing: Any, manager: Any, inst: SolomonInstance, d: IntMatrix) -> None:
    """Time = travel + service at the origin; windows on service start, depot due at the end."""
    service = [SCALE * c.service for c in inst.points]
    transit = [
        [int(d[i, j]) + service[i] for j in range(len(service))] for i in range(len(service))
    ]
    horizon = SCALE * inst.depot.due
    callback = routing.RegisterTransitMatrix(transit)
    routing.AddDimension(callback, horizon, horizon, False, "Time")
    time = routing.GetDimensionOrDie("Time")
    for loc, c in enumerate(inst.customers, start=1):
        index = manager.NodeToIndex(loc)
        time.CumulVar(index).SetRange(SCALE * c.ready, SCALE * c.due)
    for v in range(inst.vehicles):
        time.CumulVar(routing.Start(v)).SetRange(SCALE * inst.depot.ready, horizon)
        time.CumulVar(routing.End(v)).SetRange(SCALE * inst.depot.ready, horizon)


def _ortools_routes(routing: Any, manager: Any, assignment: Any, inst: SolomonInstance) -> Routes:
    numbers = [c.number for c in inst.points]
    routes: Routes = []
    for v in range(inst.vehicles):
        index = assignment.Value(routing.NextVar(routing.Start(v)))
        route: list[int] = []
        while not routing.IsEnd(index):
            route.append(numbers[manager.IndexToNode(index)])
            index = assignment.Value(routing.NextVar(index))
        if route:
            routes.append(route)
    return routes


def solve_pyvrp(
    instance: SolomonInstance, seconds: float, threads: int, seed: int
) -> Routes | None:
    """PyVRP's default solver on the same tenths matrix; ``None`` if its best is infeasible."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    del threads
    matrix = distance_matrix(instance)
    depot = instance.depot
    locations = [pyvrp.Location(x=c.x, y=c.y) for c in instance.points]
    clients = [
        pyvrp.Client(
            location=loc,
            delivery=[c.demand],
            service_duration=SCALE * c.service,
            tw_early=SCALE * c.ready,
            tw_late=SCALE * c.due,
        )
        for loc, c in enumerate(instance.customers, start=1)
    ]
    depots = [pyvrp.Depot(location=0, tw_early=SCALE * depot.ready, tw_late=SCALE * depot.due)]
    vehicle_type = pyvrp.VehicleType(
        num_available=instance.vehicles,
        capacity=[instance.capacity],
        tw_early=SCALE * depot.ready,
        tw_late=SCALE * depot.due,
    )
    matrices: list[Any] = [matrix]
    data = pyvrp.ProblemData(locations, clients, depots, [vehicle_type], matrices, matrices)
    result = pyvrp.solve(data, stop=MaxRuntime(seconds), seed=seed, collect_stats=False)
    if not result.is_feasible():
        return None
    numbers = [c.number for c in instance.customers]
    return [
        [numbers[act.idx] for act in route if act.is_client()] for route in result.best.routes()
    ]


def solve_vroom(
    instance: SolomonInstance, seconds: float, threads: int, seed: int
) -> Routes | None:
    """VROOM at exploration 5; travel time is the tenths matrix so cost = distance."""
    import vroom

    del seed  # VROOM is deterministic
    matrix = distance_matrix(instance)
    depot = instance.depot
    problem = vroom.Input()
    problem.set_durations_matrix("car", matrix)
    window = vroom.TimeWindow(SCALE * depot.ready, SCALE * depot.due)
    problem.add_vehicle(
        [
            vroom.Vehicle(k, start=0, end=0, capacity=[instance.capacity], time_window=window)
            for k in range(instance.vehicles)
        ]
    )
    problem.add_job(
        [
            vroom.Job(
                c.number,
                location=loc,
                default_service=SCALE * c.service,
                delivery=[c.demand],
                time_windows=[vroom.TimeWindow(SCALE * c.ready, SCALE * c.due)],
            )
            for loc, c in enumerate(instance.customers, start=1)
        ]
    )
    solution = problem.solve(
        exploration_level=5, nb_threads=threads, timeout=timedelta(seconds=seconds)
    )
    frame = solution.routes
    jobs = frame[frame["type"] == "job"]
    routes = [[int(i) for i in group["id"]] for _, group in jobs.groupby("vehicle_id", sort=True)]
    served = sum(len(r) for r in routes)
    return routes if served == len(instance.customers) else None


PEERS: dict[str, Peer] = {
    "ortools": solve_ortools,
    "pyvrp": solve_pyvrp,
    "vroom": solve_vroom,
}
