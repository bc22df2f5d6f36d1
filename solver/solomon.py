"""Solomon VRPTW instances: reading, conversion to a ``Problem``, and an independent check.

Convention (DIMACS 2021 VRPTW challenge, PyVRP's ``round_func="dimacs"``): the distance
between two points is the euclidean distance truncated to one decimal, travel time equals
distance, the objective is total distance and the fleet is the number in the file. The
solver works in integer *tenths*, so every distance, time and duration here is an ``int``
equal to ten times the value in the file (``floor(10 * euclid)`` for distances), which makes
the arithmetic exact. Results are reported back in the file's unit (tenths / 10).
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from solver.problem import IntMatrix, Job, Problem, Vehicle
from solver.solution import Route, Solution, SolveStats, Stop

SCALE = 10
"""Integer time/distance units per unit of the Solomon file (tenths)."""

_CUSTOMER_FIELDS = 7


@dataclass(frozen=True, slots=True)
class Customer:
    """One row of the CUSTOMER section; row 0 is the depot. Times in the file's unit."""

    number: int
    x: float
    y: float
    demand: int
    ready: int
    due: int
    service: int


@dataclass(frozen=True, slots=True)
class SolomonInstance:
    name: str
    vehicles: int
    capacity: int
    depot: Customer
    customers: tuple[Customer, ...]

    @property
    def points(self) -> tuple[Customer, ...]:
        """Depot first, then the customers: the location order of the matrices."""
        return (self.depot, *self.customers)


@dataclass(frozen=True, slots=True)
class SolomonSolution:
    """A ``.sol`` file: routes of customer numbers, and the cost line if there is one."""

    routes: tuple[tuple[int, ...], ...]
    cost: float | None


@dataclass(frozen=True, slots=True)
class BestKnown:
    instance: str
    cls: str
    n: int
    distance: float
    routes: int


def _numbers(line: str, path: Path, lineno: int) -> list[float]:
    try:
        return [float(tok) for tok in line.split()]
    except ValueError as exc:
        raise ValueError(f"{path}:{lineno}: expected numbers, got {line.strip()!r}") from exc


def _as_int(value: float, what: str, path: Path) -> int:
    if not value.is_integer():
        raise ValueError(f"{path}: {what} must be an integer, got {value}")
    return int(value)


def _customer(row: list[float], path: Path, lineno: int) -> Customer:
    if len(row) != _CUSTOMER_FIELDS:
        raise ValueError(f"{path}:{lineno}: expected {_CUSTOMER_FIELDS} fields, got {len(row)}")
    num, x, y, demand, ready, due, service = row
    where = f"line {lineno}"
    return Customer(
        number=_as_int(num, f"{where} customer number", path),
        x=x,
        y=y,
        demand=_as_int(demand, f"{where} demand", path),
        ready=_as_int(ready, f"{where} ready time", path),
        due=_as_int(due, f"{where} due date", path),
        service=_as_int(service, f"{where} service time", path),
    )


def _section_rows(lines: list[str], header: str, path: Path) -> list[tuple[int, list[float]]]:
    """Numeric rows after the line equal to ``header`` (up to the next section or EOF)."""
    starts = [i for i, line in enumerate(lines) if line.strip().upper() == header]
    if not starts:
        raise ValueError(f"{path}: no {header} section")
    rows: list[tuple[int, list[float]]] = []
    for i in range(starts[0] + 1, len(lines)):
        text = lines[i].strip()
        if not text:
            continue
        if not (text[0].isdigit() or text[0] in "+-."):
            if rows:
                break
            continue  # a column-header line
        rows.append((i + 1, _numbers(text, path, i + 1)))
    return rows


def read_instance(path: str | Path) -> SolomonInstance:
    """Read a Solomon-format instance; ``ValueError`` naming the line when malformed."""
    path = Path(path)
    lines = path.read_text().splitlines()
    name = next((line.strip() for line in lines if line.strip()), "")
    if not name:
        raise ValueError(f"{path}: empty file")
    vehicle_rows = _section_rows(lines, "VEHICLE", path)
    if not vehicle_rows or len(vehicle_rows[0][1]) != 2:
        raise ValueError(f"{path}: VEHICLE section must hold 'NUMBER CAPACITY'")
    lineno, (count, capacity) = vehicle_rows[0]
    vehicles = _as_int(count, f"line {lineno} vehicle number", path)
    cap = _as_int(capacity, f"line {lineno} capacity", path)
    rows = [_customer(row, path, no) for no, row in _section_rows(lines, "CUSTOMER", path)]
    if len(rows) < 2:
        raise ValueError(f"{path}: need a depot and at least one customer")
    _check_rows(rows, vehicles, cap, path)
    return SolomonInstance(name, vehicles, cap, rows[0], tuple(rows[1:]))


def _check_rows(rows: list[Customer], vehicles: int, capacity: int, path: Path) -> None:
    if vehicles <= 0 or capacity <= 0:
        raise ValueError(f"{path}: vehicle number and capacity must be positive")
    if rows[0].number != 0:
        raise ValueError(f"{path}: the first customer row must be the depot, number 0")
    numbers = [c.number for c in rows]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"{path}: duplicate customer numbers")
    for c in rows:
        if min(c.demand, c.ready, c.service) < 0 or c.due < c.ready:
            raise ValueError(f"{path}: customer {c.number}: negative value or due < ready")


def distance_matrix(instance: SolomonInstance) -> IntMatrix:
    """``floor(10 * euclid)`` between all points (depot first), exact for integer coords."""
    pts = instance.points
    n = len(pts)
    out = np.zeros((n, n), dtype=np.int64)
    for i, a in enumerate(pts):
        for j in range(i + 1, n):
            out[i, j] = out[j, i] = _tenths(a, pts[j])
    return out


def _tenths(a: Customer, b: Customer) -> int:
    dx, dy = a.x - b.x, a.y - b.y
    if dx.is_integer() and dy.is_integer():
        return math.isqrt(int(100 * (dx * dx + dy * dy)))
    return math.floor(SCALE * math.hypot(dx, dy))


def to_problem(instance: SolomonInstance) -> Problem:
    """The instance as a ``Problem`` in tenths: hard windows, capacity, the file's fleet."""
    matrix = distance_matrix(instance)
    jobs = tuple(
        Job(
            id=str(c.number),
            location=loc,
            service=SCALE * c.service,
            release=SCALE * c.ready,
            due=SCALE * c.due,
            hard_due=True,
            demand=c.demand,
        )
        for loc, c in enumerate(instance.customers, start=1)
    )
    depot = instance.depot
    vehicles = tuple(
        Vehicle(
            id=f"v{k}",
            start_location=0,
            end_location=0,
            shift_start=SCALE * depot.ready,
            shift_end=SCALE * depot.due,
            capacity=instance.capacity,
        )
        for k in range(1, instance.vehicles + 1)
    )
    return Problem(
        durations=matrix,
        distances=matrix.copy(),
        jobs=jobs,
        vehicles=vehicles,
        horizon=SCALE * depot.due,
        distance_cost=1,
        time_cost=0,
    )


def read_solution(path: str | Path) -> SolomonSolution:
    """Read a ``.sol`` file: ``Route #k: c1 c2 ...`` lines and an optional ``Cost x`` line."""
    path = Path(path)
    routes: list[tuple[int, ...]] = []
    cost: float | None = None
    for lineno, line in enumerate(path.read_text().splitlines(), start=1):
        text = line.strip()
        if text.lower().startswith("route"):
            _, _, visits = text.partition(":")
            try:
                routes.append(tuple(int(tok) for tok in visits.split()))
            except ValueError as exc:
                raise ValueError(f"{path}:{lineno}: bad route {text!r}") from exc
        elif text.lower().startswith("cost"):
            try:
                cost = float(text.split()[1])
            except (IndexError, ValueError) as exc:
                raise ValueError(f"{path}:{lineno}: bad cost line {text!r}") from exc
    if not routes:
        raise ValueError(f"{path}: no routes")
    return SolomonSolution(tuple(routes), cost)


def read_bks(path: str | Path) -> dict[str, BestKnown]:
    """``bks.csv`` (instance, cls, n, bks_dist, bks_routes) keyed by instance name."""
    path = Path(path)
    out: dict[str, BestKnown] = {}
    with path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            try:
                best = BestKnown(
                    instance=row["instance"],
                    cls=row["cls"],
                    n=int(row["n"]),
                    distance=float(row["bks_dist"]),
                    routes=int(row["bks_routes"]),
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"{path}: bad row {row}") from exc
            out[best.instance] = best
    return out


def _locations(instance: SolomonInstance) -> dict[int, int]:
    """Customer number -> matrix index (the row order of the file, depot 0)."""
    return {c.number: loc for loc, c in enumerate(instance.customers, start=1)}


def route_distance_tenths(instance: SolomonInstance, routes: Iterable[Sequence[int]]) -> int:
    """Total distance in tenths of routes given as customer numbers."""
    matrix = distance_matrix(instance)
    where = _locations(instance)
    total = 0
    for route in routes:
        if route:
            path = [0, *(where[c] for c in route), 0]
            total += sum(int(matrix[a, b]) for a, b in pairwise(path))
    return total


def route_distance(instance: SolomonInstance, routes: Iterable[Sequence[int]]) -> float:
    """Total distance in the file's unit, rounded to one decimal."""
    return round(route_distance_tenths(instance, routes) / SCALE, 1)


def check_routes(instance: SolomonInstance, routes: Sequence[Sequence[int]]) -> list[str]:
    """Every Solomon rule the routes break, as readable messages (empty when feasible).

    Independent of the solver and of ``to_problem``: it recomputes the schedule from the
    coordinates (service starts at max(arrival, ready), must start by the due date, the
    vehicle back at the depot by the depot's due date), the load, the fleet size, and that
    each customer is visited exactly once.
    """
    errors = _check_coverage(instance, routes)
    used = [r for r in routes if r]
    if len(used) > instance.vehicles:
        errors.append(f"{len(used)} routes but the fleet has {instance.vehicles} vehicles")
    matrix = distance_matrix(instance)
    by_number = {c.number: (loc, c) for loc, c in enumerate(instance.customers, start=1)}
    for k, route in enumerate(used, start=1):
        known = [c for c in route if c in by_number]
        errors.extend(_check_route(instance, matrix, [by_number[c] for c in known], k))
    return errors


def _check_coverage(instance: SolomonInstance, routes: Sequence[Sequence[int]]) -> list[str]:
    counts = Counter(c for route in routes for c in route)
    numbers = {c.number for c in instance.customers}
    errors = [f"customer {c} visited {n} times" for c, n in sorted(counts.items()) if n > 1]
    errors += [f"unknown customer {c}" for c in sorted(set(counts) - numbers)]
    errors += [f"customer {c} not visited" for c in sorted(numbers - set(counts))]
    return errors


def _check_route(
    instance: SolomonInstance,
    matrix: IntMatrix,
    stops: list[tuple[int, Customer]],
    k: int,
) -> list[str]:
    errors: list[str] = []
    depot = instance.depot
    load = sum(c.demand for _, c in stops)
    if load > instance.capacity:
        errors.append(f"route {k}: load {load} exceeds capacity {instance.capacity}")
    time, here = SCALE * depot.ready, 0
    for loc, c in stops:
        arrival = time + int(matrix[here, loc])
        start = max(arrival, SCALE * c.ready)
        if start > SCALE * c.due:
            errors.append(
                f"route {k}: customer {c.number} starts at {start / SCALE} after due {c.due}"
            )
        time, here = start + SCALE * c.service, loc
    back = time + int(matrix[here, 0])
    if back > SCALE * depot.due:
        errors.append(f"route {k}: back at the depot at {back / SCALE} after due {depot.due}")
    return errors


def to_solution(problem: Problem, routes: Sequence[Sequence[int]], engine: str) -> Solution:
    """A plan of ``to_problem``'s problem from routes of customer numbers (a ``.sol`` file,
    a peer's answer), on the vehicles in order, each leaving at its shift start and serving
    at max(arrival, ready): what the engine's validator needs to judge it."""
    jobs = {j.id: j for j in problem.jobs}
    built: list[Route] = []
    for vehicle, route in zip(problem.vehicles, [r for r in routes if r], strict=False):
        stops: list[Stop] = []
        here, clock = vehicle.start_location, vehicle.shift_start
        for number in route:
            job = jobs[str(number)]
            arrival = clock + int(problem.durations[here, job.location])
            start = max(arrival, job.release)
            clock, here = start + job.service, job.location
            stops.append(Stop(job.id, arrival, start, clock))
        end = clock + int(problem.durations[here, vehicle.end_location])
        built.append(Route(vehicle.id, tuple(stops), vehicle.shift_start, end))
    served = {s.job_id for r in built for s in r.stops}
    unassigned = tuple(j.id for j in problem.jobs if j.id not in served)
    stats = SolveStats(_solution_tenths_of(problem, built), 0.0, engine, "GIVEN")
    return Solution(tuple(built), unassigned, stats)


def solution_routes(solution: Solution) -> list[list[int]]:
    """The solution's non-empty routes as lists of customer numbers."""
    return [[int(job_id) for job_id in route.job_ids] for route in solution.routes if route.stops]


def result_json(
    solution: Solution, problem: Problem | None = None
) -> dict[str, list[list[int]] | int | float]:
    """``{"routes", "vehicles", "distance"}`` as ``dispatch vrptw --json`` prints it.

    The distance is recomputed from ``problem``'s distance matrix when given; otherwise it
    is the solve's objective, which for a Solomon problem (``distance_cost=1,
    time_cost=0``, every job served) is the distance in tenths.
    """
    routes = solution_routes(solution)
    tenths = solution.stats.objective if problem is None else _solution_tenths(solution, problem)
    return {"routes": routes, "vehicles": len(routes), "distance": round(tenths / SCALE, 1)}


def _solution_tenths(solution: Solution, problem: Problem) -> int:
    return _solution_tenths_of(problem, solution.routes)


def _solution_tenths_of(problem: Problem, routes: Iterable[Route]) -> int:
    total = 0
    for route in routes:
        vehicle = next(v for v in problem.vehicles if v.id == route.vehicle_id)
        if not route.stops:
            continue
        path = [
            vehicle.start_location,
            *(problem.job(s.job_id).location for s in route.stops),
            vehicle.end_location,
        ]
        total += sum(int(problem.distances[a, b]) for a, b in pairwise(path))
    return total
