"""Why a job is late or unassigned, in terms a dispatcher understands.

Reasons are computed from the problem and the plan, never from the model, and tried from
the most to the least fundamental: nobody is certified; the job is released after every
shift; nobody can get there in time even going straight from their start; the routes
that could take it are full (capacity); otherwise other jobs took the time (a higher
priority, or simply a better use of the engineers' day).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from solver.problem import Job, Problem, Vehicle
from solver.solution import Solution

NO_CERTIFIED_ENGINEER = "no_certified_engineer"
OUTSIDE_EVERY_SHIFT = "outside_every_shift"
CANNOT_ARRIVE_IN_TIME = "cannot_arrive_in_time"
CAPACITY = "capacity"
DROPPED_FOR_HIGHER_PRIORITY = "dropped_for_higher_priority"
BUSY_WITH_OTHER_JOBS = "busy_with_other_jobs"


@dataclass(frozen=True, slots=True)
class Reason:
    """``code`` is stable for programs, ``message`` is for people, ``details`` for both.

    Times in ``details`` are in the problem's unit from its time origin;
    ``minutes_late`` is in minutes.
    """

    code: str
    message: str
    details: dict[str, str | int | float] = field(default_factory=dict)


def _day_end(vehicle: Vehicle) -> int:
    return vehicle.shift_end + vehicle.overtime_cap


def _earliest_start(problem: Problem, vehicle: Vehicle, job: Job) -> int:
    """When ``vehicle`` could start ``job`` going straight there from its start."""
    travel = int(problem.durations[vehicle.start_location, job.location])
    return max(vehicle.shift_start + travel, job.release)


def _fits_day(problem: Problem, vehicle: Vehicle, job: Job) -> bool:
    start = _earliest_start(problem, vehicle, job)
    back = start + job.service + int(problem.durations[job.location, vehicle.end_location])
    if job.hard_due and job.due is not None and start > job.due:
        return False
    return back <= _day_end(vehicle) and start <= problem.horizon


def _nearest(problem: Problem, job: Job, certified: list[Vehicle]) -> tuple[Vehicle, int]:
    vehicle = min(certified, key=lambda v: (_earliest_start(problem, v, job), v.id))
    return vehicle, _earliest_start(problem, vehicle, job)


def _unreachable(problem: Problem, job: Job, certified: list[Vehicle]) -> Reason:
    vehicle, at = _nearest(problem, job, certified)
    msg = (
        f"no certified engineer can reach the site and finish within a shift; the nearest, "
        f"{vehicle.id}, would arrive at {at} going straight there"
    )
    return Reason(CANNOT_ARRIVE_IN_TIME, msg, {"engineer_id": vehicle.id, "arrival": at})


def _full(problem: Problem, job: Job, solution: Solution, certified: list[Vehicle]) -> bool:
    """Every engineer who could take the job has no capacity left for it."""
    if job.demand <= 0 or not any(v.capacity is not None for v in certified):
        return False
    demand = {j.id: j.demand for j in problem.jobs}
    for vehicle in certified:
        route = solution.route_of(vehicle.id)
        load = sum(demand[s.job_id] for s in route.stops) if route else 0
        if vehicle.capacity is None or load + job.demand <= vehicle.capacity:
            return False
    return True


def why_unassigned(problem: Problem, solution: Solution, job: Job) -> Reason:
    certified = [v for v in problem.vehicles if v.can_serve(job)]
    if not certified:
        return Reason(NO_CERTIFIED_ENGINEER, f"no engineer is certified for {job.skill}")
    if all(job.release > _day_end(v) for v in certified):
        latest = max(_day_end(v) for v in certified)
        msg = f"released at {job.release}, after every shift ends (latest {latest})"
        return Reason(OUTSIDE_EVERY_SHIFT, msg, {"release": job.release, "latest_end": latest})
    reachable = [v for v in certified if _fits_day(problem, v, job)]
    if not reachable:
        return _unreachable(problem, job, certified)
    if _full(problem, job, solution, reachable):
        return Reason(CAPACITY, "every engineer who could take it is loaded to capacity")
    msg = "the engineers who could take it spent their day on jobs worth more"
    return Reason(DROPPED_FOR_HIGHER_PRIORITY, msg, {"candidates": len(reachable)})


def why_late(problem: Problem, job: Job, start: int, seconds_per_unit: float) -> Reason:
    due = job.due if job.due is not None else start
    late = start - due
    minutes = round(late * seconds_per_unit / 60.0, 1)
    certified = [v for v in problem.vehicles if v.can_serve(job)]
    vehicle, at = _nearest(problem, job, certified)
    details: dict[str, str | int | float] = {
        "late_by": late,
        "minutes_late": minutes,
        "engineer_id": vehicle.id,
        "arrival": at,
    }
    if at > due:
        msg = (
            f"{minutes} min late: even the nearest certified engineer, {vehicle.id}, going "
            f"straight there would arrive at {at}, after the deadline {due}"
        )
        return Reason(CANNOT_ARRIVE_IN_TIME, msg, details)
    msg = f"{minutes} min late: the engineers who could be on time were busy with other jobs"
    return Reason(BUSY_WITH_OTHER_JOBS, msg, details)


def explain(
    problem: Problem, solution: Solution, *, seconds_per_unit: float = 1.0
) -> dict[str, Reason]:
    """Job id -> reason, for every unassigned job and every job served after its due."""
    jobs = {j.id: j for j in problem.jobs}
    reasons = {
        job_id: why_unassigned(problem, solution, jobs[job_id])
        for job_id in solution.unassigned
        if job_id in jobs
    }
    for route in solution.routes:
        for stop in route.stops:
            job = jobs.get(stop.job_id)
            if job is not None and job.due is not None and stop.start > job.due:
                reasons[job.id] = why_late(problem, job, stop.start, seconds_per_unit)
    return reasons
