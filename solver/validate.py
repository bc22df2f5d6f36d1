"""An independent check of a plan against its problem, and its objective recomputed.

This module imports only the problem and solution contracts, never the model: it
recomputes every time from the matrices, so a modelling mistake in the engine shows up
here instead of being confirmed by the code that made it.

Time convention (shared by every engine and documented in ``docs/solver.md``): leaving a
stop at ``departure``, the engineer arrives at ``departure + travel``, pushed back by the
duration of every break that starts on the road (at or after the departure and before the
arrival so far). Service starts at or after the arrival and the release; a break is taken
before the route starts, after it ends, or between a departure and the next service start.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from solver.problem import Break, Job, Problem, Vehicle
from solver.solution import BreakTaken, Route, Solution

Severity = Literal["hard", "soft"]


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule. ``hard`` makes the plan unusable; ``soft`` is a priced lapse."""

    kind: str
    severity: Severity
    job_id: str | None
    vehicle_id: str | None
    message: str


def hard(violations: list[Violation]) -> list[Violation]:
    return [v for v in violations if v.severity == "hard"]


def validate(problem: Problem, solution: Solution) -> list[Violation]:
    """Every violation of the plan, hard ones and soft ones (lateness, overtime)."""
    found = _check_coverage(problem, solution)
    vehicles = {v.id: v for v in problem.vehicles}
    seen: set[str] = set()
    for route in solution.routes:
        vehicle = vehicles.get(route.vehicle_id)
        if vehicle is None:
            found.append(_v("vehicle", None, route.vehicle_id, "route of an unknown vehicle"))
            continue
        if route.vehicle_id in seen:
            found.append(_v("vehicle", None, route.vehicle_id, "vehicle has two routes"))
        seen.add(route.vehicle_id)
        found += _check_route(problem, vehicle, route)
    found += _check_pins(problem, solution)
    return found


def _v(kind: str, job: str | None, vehicle: str | None, message: str) -> Violation:
    return Violation(kind, "hard", job, vehicle, message)


def _check_coverage(problem: Problem, solution: Solution) -> list[Violation]:
    """Each job at most once, and assigned + unassigned = all jobs."""
    ids = {j.id for j in problem.jobs}
    assigned = Counter(stop.job_id for r in solution.routes for stop in r.stops)
    out = [_v("duplicate", j, None, f"job served {n} times") for j, n in assigned.items() if n > 1]
    listed = set(assigned) | set(solution.unassigned)
    out += [_v("unknown_job", j, None, "not a job of the problem") for j in listed - ids]
    out += [_v("missing", j, None, "neither assigned nor unassigned") for j in ids - listed]
    out += [
        _v("duplicate", j, None, "both assigned and unassigned")
        for j in set(assigned) & set(solution.unassigned)
    ]
    return out


def arrival_after(departure: int, travel: int, breaks: tuple[BreakTaken, ...]) -> int:
    """The arrival time after a leg under the break convention of the module docstring."""
    arrival = departure + travel
    for brk in sorted(breaks, key=lambda b: b.start):
        if departure <= brk.start < arrival:
            arrival += brk.duration
    return arrival


def _check_route(problem: Problem, vehicle: Vehicle, route: Route) -> list[Violation]:
    jobs = {j.id: j for j in problem.jobs}
    out = _check_shift(problem, vehicle, route)
    departure, here = route.start, vehicle.start_location
    for stop in route.stops:
        job = jobs.get(stop.job_id)
        if job is None:
            continue
        arrival = arrival_after(departure, int(problem.durations[here, job.location]), route.breaks)
        out += _check_stop(vehicle, job, stop.arrival, stop.start, stop.end, arrival)
        departure, here = stop.end, job.location
    back = arrival_after(
        departure, int(problem.durations[here, vehicle.end_location]), route.breaks
    )
    if route.end < back:
        out.append(_v("end", None, vehicle.id, f"route ends at {route.end}, back at {back}"))
    out += _check_breaks(vehicle, route)
    out += _check_capacity(vehicle, route, jobs)
    return out


def _check_shift(problem: Problem, vehicle: Vehicle, route: Route) -> list[Violation]:
    out: list[Violation] = []
    if route.start < vehicle.shift_start:
        out.append(_v("shift", None, vehicle.id, f"starts at {route.start} before the shift"))
    limit = vehicle.shift_end + vehicle.overtime_cap
    if route.end > limit:
        out.append(_v("shift", None, vehicle.id, f"ends at {route.end}, after {limit}"))
    elif route.end > vehicle.shift_end:
        over = route.end - vehicle.shift_end
        out.append(Violation("overtime", "soft", None, vehicle.id, f"{over} units of overtime"))
    if route.end > problem.horizon:
        out.append(_v("horizon", None, vehicle.id, f"ends at {route.end} after the horizon"))
    return out


def _check_stop(
    vehicle: Vehicle, job: Job, arrival: int, start: int, end: int, expected: int
) -> list[Violation]:
    out: list[Violation] = []
    if arrival != expected:
        out.append(_v("arrival", job.id, vehicle.id, f"arrival {arrival}, recomputed {expected}"))
    if start < max(expected, job.release):
        out.append(_v("start", job.id, vehicle.id, f"starts at {start} before arrival/release"))
    if end != start + job.service:
        out.append(_v("service", job.id, vehicle.id, f"ends at {end}, not start + service"))
    if not vehicle.can_serve(job):
        out.append(_v("skill", job.id, vehicle.id, f"vehicle lacks skill {job.skill}"))
    if job.due is not None and start > job.due:
        if job.hard_due:
            out.append(_v("due", job.id, vehicle.id, f"starts at {start} after due {job.due}"))
        else:
            msg = f"late by {start - job.due}"
            out.append(Violation("late", "soft", job.id, vehicle.id, msg))
    return out


def _match_breaks(declared: tuple[Break, ...], taken: tuple[BreakTaken, ...]) -> bool:
    """Whether the taken breaks are the declared ones, once each, inside their windows.

    A break taken must last the declared duration, or end at ``ends_at`` for a night.
    """
    if len(declared) != len(taken):
        return False
    remaining = list(declared)
    for brk in sorted(taken, key=lambda b: b.start):
        fits = [
            d
            for d in remaining
            if d.earliest_start <= brk.start <= d.latest_start
            and d.length(brk.start) == brk.duration
        ]
        if not fits:
            return False
        remaining.remove(min(fits, key=lambda d: d.latest_start))
    return True


def _check_breaks(vehicle: Vehicle, route: Route) -> list[Violation]:
    """Breaks taken as declared, none overlapping a service, another break or a departure."""
    out: list[Violation] = []
    if not _match_breaks(vehicle.breaks, route.breaks):
        msg = f"breaks taken {route.breaks} do not match the declared {vehicle.breaks}"
        out.append(_v("break", None, vehicle.id, msg))
    busy = [(s.start, s.end) for s in route.stops]
    spans = sorted((b.start, b.start + b.duration) for b in route.breaks)
    for a, b in itertools.pairwise(spans):
        if b[0] < a[1]:
            out.append(_v("break", None, vehicle.id, f"breaks overlap at {b[0]}"))
    for s, e in spans:
        if any(s < be and bs < e for bs, be in busy):
            out.append(_v("break", None, vehicle.id, f"break at {s} overlaps a service"))
        if s < route.start < e or s < route.end < e:
            out.append(_v("break", None, vehicle.id, f"break at {s} spans the route start/end"))
    return out


def _check_capacity(vehicle: Vehicle, route: Route, jobs: dict[str, Job]) -> list[Violation]:
    load = sum(jobs[s.job_id].demand for s in route.stops if s.job_id in jobs)
    if vehicle.capacity is not None and load > vehicle.capacity:
        return [_v("capacity", None, vehicle.id, f"load {load} > capacity {vehicle.capacity}")]
    return []


def _check_pins(problem: Problem, solution: Solution) -> list[Violation]:
    out: list[Violation] = []
    for vehicle in problem.vehicles:
        if vehicle.first_job is None:
            continue
        route = solution.route_of(vehicle.id)
        if route is None or not route.stops or route.stops[0].job_id != vehicle.first_job:
            msg = f"first stop must be {vehicle.first_job}"
            out.append(_v("first_job", vehicle.first_job, vehicle.id, msg))
    return out


def night_overtime(vehicle: Vehicle, route: Route) -> int:
    """Day-1 overtime of a two-day route: work between the day-1 end and the night.

    The day-1 shift end is the night's earliest start (``solver.problem.with_next_day``).
    The engineer works from the route's start until the night starts or the route ends,
    whichever comes first; the part of that past the day-1 end is overtime, priced at the
    vehicle's ``overtime_cost`` like overtime at the end of the route.
    """
    total = 0
    for night in (b for b in vehicle.breaks if b.ends_at is not None):
        for taken in route.breaks:
            if taken.start + taken.duration == night.ends_at and (
                night.earliest_start <= taken.start <= night.latest_start
            ):
                stop = min(taken.start, route.end)
                total += max(0, stop - max(night.earliest_start, route.start))
                break
    return total


def objective(problem: Problem, solution: Solution) -> int:
    """The plan's cost, recomputed: distance, span time, lateness, overtime, drops, changes.

    Engines are compared on this number, so it must not depend on how one of them
    accounts for its own objective.
    """
    jobs = {j.id: j for j in problem.jobs}
    vehicles = {v.id: v for v in problem.vehicles}
    total = sum(problem.drop_price(jobs[j]) for j in solution.unassigned if j in jobs)
    for route in solution.routes:
        vehicle = vehicles[route.vehicle_id]
        total += _route_cost(problem, vehicle, route, jobs)
    used = {r.vehicle_id for r in solution.routes if r.stops}
    for vehicle in problem.vehicles:
        if vehicle.id not in used:
            total += _sent_home_cost(problem, vehicle)
    return total


def _sent_home_cost(problem: Problem, vehicle: Vehicle) -> int:
    """An engineer who had a next stop and now has none: a change, and the trip home."""
    if problem.change_cost <= 0 or vehicle.id not in problem.previous_routes:
        return 0
    if problem.previous_first_job(vehicle.id) is None:
        return 0
    a, b = vehicle.start_location, vehicle.end_location
    trip = problem.distance_cost * int(problem.distances[a, b])
    return problem.change_cost + trip + problem.time_cost * int(problem.durations[a, b])


def _route_cost(problem: Problem, vehicle: Vehicle, route: Route, jobs: dict[str, Job]) -> int:
    if not route.stops:
        return 0
    path = [vehicle.start_location, *(jobs[s.job_id].location for s in route.stops)]
    path.append(vehicle.end_location)
    distance = sum(int(problem.distances[a, b]) for a, b in itertools.pairwise(path))
    cost = problem.distance_cost * distance + problem.time_cost * (route.end - route.start)
    cost += vehicle.overtime_cost * max(0, route.end - vehicle.shift_end)
    cost += vehicle.overtime_cost * night_overtime(vehicle, route)
    for stop in route.stops:
        job = jobs[stop.job_id]
        if job.due is not None and not job.hard_due:
            cost += job.lateness_cost * max(0, stop.start - job.due)
    if vehicle.id in problem.previous_routes:
        previous = problem.previous_first_job(vehicle.id)
        if route.stops[0].job_id != previous:
            cost += problem.change_cost
    return cost
