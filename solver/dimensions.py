"""The time and capacity dimensions, and the constraints that live on them.

The time dimension's cumul at a node is the start of service there (minutes or seconds
from the plan start, in the problem's unit); its transit on arc (i, j) is the service at
i plus the travel from i to j, and its slack is waiting. Matrices are registered with
``RegisterTransitMatrix`` (evaluated in C++), which ``docs/solver/search.md`` measured against
Python callbacks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from solver.model import Layout
from solver.problem import Break, Problem

TIME = "time"
LOAD = "load"


def add_time(problem: Problem, layout: Layout, routing: Any) -> Any:
    """Travel + service as one dimension; ``time_cost`` is charged on each route's span."""
    transit = layout.node_matrix(problem.durations) + layout.service[:, None]
    callback = routing.RegisterTransitMatrix(transit.tolist())
    horizon = problem.horizon
    routing.AddDimension(callback, horizon, horizon, False, TIME)
    time = routing.GetDimensionOrDie(TIME)
    if problem.time_cost > 0:
        time.SetSpanCostCoefficientForAllVehicles(problem.time_cost)
    return time


def add_shifts(problem: Problem, routing: Any, time: Any) -> None:
    """Shifts as start/end windows; overtime as a priced soft bound under a hard cap.

    SPEC §5 "engineer day": the route starts at or after the shift start and ends by the
    shift end; past it, up to ``overtime_cap``, each unit costs ``overtime_cost``. The
    finalizer leaves as late and returns as early as the route allows, so a plan does not
    show needless waiting.
    """
    for v, vehicle in enumerate(problem.vehicles):
        latest = min(vehicle.shift_end + vehicle.overtime_cap, problem.horizon)
        start, end = routing.Start(v), routing.End(v)
        time.CumulVar(start).SetRange(vehicle.shift_start, latest)
        time.CumulVar(end).SetRange(vehicle.shift_start, latest)
        if vehicle.overtime_cap > 0 and vehicle.overtime_cost > 0:
            time.SetCumulVarSoftUpperBound(end, vehicle.shift_end, vehicle.overtime_cost)
        routing.AddVariableMinimizedByFinalizer(time.CumulVar(end))
        routing.AddVariableMaximizedByFinalizer(time.CumulVar(start))


def add_job_windows(problem: Problem, manager: Any, time: Any) -> None:
    """Release as the earliest start; due hard (Solomon) or soft at the lateness price.

    SPEC §5: deadlines are goals with a priced lateness, the plan is late only when no
    on-time plan exists; the price per unit is the job's ``lateness_cost``.
    """
    for i, job in enumerate(problem.jobs):
        cumul = time.CumulVar(manager.NodeToIndex(i))
        cumul.SetMin(job.release)
        if job.due is None:
            continue
        if job.hard_due:
            cumul.SetMax(job.due)
        elif job.lateness_cost > 0:
            time.SetCumulVarSoftUpperBound(manager.NodeToIndex(i), job.due, job.lateness_cost)


def add_breaks(
    problem: Problem, layout: Layout, manager: Any, routing: Any, time: Any
) -> dict[int, list[Any]]:
    """Each declared break as an interval on its vehicle (lunch, night).

    The break may not overlap a service (``node_visit_transits``) but may fall in travel
    or waiting; it delays whatever follows it.
    """
    if not any(v.breaks for v in problem.vehicles):
        return {}
    solver = routing.solver()
    visit = [int(layout.service[manager.IndexToNode(i)]) for i in range(routing.Size())]
    intervals: dict[int, list[Any]] = {}
    for v, vehicle in enumerate(problem.vehicles):
        if not vehicle.breaks:
            continue
        intervals[v] = [
            _interval(solver, b, f"break_{v}_{k}") for k, b in enumerate(vehicle.breaks)
        ]
        time.SetBreakIntervalsOfVehicle(intervals[v], v, visit)
    return intervals


def _interval(solver: Any, brk: Break, name: str) -> Any:
    """A fixed-duration interval, or one that ends at ``brk.ends_at`` (a night)."""
    if brk.ends_at is None:
        return solver.FixedDurationIntervalVar(
            brk.earliest_start, brk.latest_start, brk.duration, False, name
        )
    longest = brk.length(brk.earliest_start)
    return solver.IntervalVar(
        brk.earliest_start,
        brk.latest_start,
        brk.duration,
        longest,
        brk.ends_at,
        brk.ends_at,
        False,
        name,
    )


def add_capacity(problem: Problem, layout: Layout, routing: Any) -> None:
    """Load <= capacity, added only when some job has a demand."""
    if not any(j.demand > 0 for j in problem.jobs):
        return
    demand = [0] * layout.n_nodes
    for i, job in enumerate(problem.jobs):
        demand[i] = job.demand
    callback = routing.RegisterUnaryTransitVector(demand)
    capacities = [v.capacity if v.capacity is not None else sum(demand) for v in problem.vehicles]
    routing.AddDimensionWithVehicleCapacity(callback, 0, capacities, True, LOAD)
