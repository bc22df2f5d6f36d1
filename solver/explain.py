"""Why a job is late or unassigned, each claim checked against the plan before it is said.

Reasons come from the problem and the plan, never from the model. The fundamental ones
first: nobody is certified; the job is released after every shift; nobody can start it
in time even alone (exact timing, breaks on the way included). Otherwise the plan is
*tried* the other way (``solver.explain_trials``): the job served on time (or at all)
by each engineer who could, the changed plan re-timed exactly and checked by
``solver.validate``. What the trial shows is the reason: the plan could do better
(``plan_can_improve``), other jobs would be late (``busy_with_other_jobs``), it only costs
more (``cheaper_this_way``), or there is no room, for more urgent jobs
(``dropped_for_higher_priority``) or not (``no_room``). ``docs/solver.md`` says what each
reason claims and how the property test re-checks it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from solver.explain_reasons import (
    BUSY_WITH_OTHER_JOBS,
    CANNOT_ARRIVE_IN_TIME,
    CAPACITY,
    CHEAPER_THIS_WAY,
    DROPPED_FOR_HIGHER_PRIORITY,
    NO_CERTIFIED_ENGINEER,
    NO_ROOM,
    NOT_EXAMINED,
    OUTSIDE_EVERY_SHIFT,
    PLAN_CAN_IMPROVE,
    BusyWithOtherJobs,
    CannotArriveInTime,
    Capacity,
    CheaperThisWay,
    Delay,
    DroppedForHigherPriority,
    NoCertifiedEngineer,
    NoRoom,
    NotExamined,
    OutsideEveryShift,
    PlanCanImprove,
    Reason,
    Trial,
)
from solver.explain_timing import timings
from solver.explain_trials import Trials, late_by, more_urgent
from solver.problem import Job, Problem, Vehicle
from solver.solution import Solution

__all__ = [
    "BUSY_WITH_OTHER_JOBS",
    "CANNOT_ARRIVE_IN_TIME",
    "CAPACITY",
    "CHEAPER_THIS_WAY",
    "DROPPED_FOR_HIGHER_PRIORITY",
    "ENGINEERS_TRIED",
    "NOT_EXAMINED",
    "NO_CERTIFIED_ENGINEER",
    "NO_ROOM",
    "OUTSIDE_EVERY_SHIFT",
    "PLAN_CAN_IMPROVE",
    "BusyWithOtherJobs",
    "CannotArriveInTime",
    "Capacity",
    "CheaperThisWay",
    "Delay",
    "DroppedForHigherPriority",
    "NoCertifiedEngineer",
    "NoRoom",
    "NotExamined",
    "OutsideEveryShift",
    "PlanCanImprove",
    "Reason",
    "Trial",
    "earliest_alone",
    "explain",
    "more_urgent",
]

#: Swaps tried for a job no route has room for (its least urgent rivals first).
SWAPS_TRIED = 8
#: Engineers a job is tried with (those who could start it earliest alone first): bounds
#: the work on days with hundreds of engineers; a 16-engineer day rarely has more.
ENGINEERS_TRIED = 8


def _first(able: Sequence[Vehicle], starts: dict[str, int]) -> list[Vehicle]:
    """The engineers to try, those who could start earliest alone first."""
    return sorted(able, key=lambda v: (starts[v.id], v.id))[:ENGINEERS_TRIED]


def _day_end(vehicle: Vehicle) -> int:
    return vehicle.shift_end + vehicle.overtime_cap


def alone(problem: Problem, vehicle: Vehicle, job: Job) -> list[Job]:
    """The shortest route that serves ``job``: the engineer's pinned first job, then it."""
    if vehicle.first_job is None or vehicle.first_job == job.id:
        return [job]
    return [problem.job(vehicle.first_job), job]


def earliest_alone(problem: Problem, vehicle: Vehicle, job: Job) -> int | None:
    """The earliest start of ``job`` by ``vehicle`` with nothing else to do (exact timing)."""
    starts = [
        route.stops[-1].start for route in timings(problem, vehicle, alone(problem, vehicle, job))
    ]
    return min(starts, default=None)


def _straight(problem: Problem, vehicle: Vehicle, job: Job) -> int:
    """A lower bound of ``earliest_alone``: straight there, no break."""
    travel = int(problem.durations[vehicle.start_location, job.location])
    return max(vehicle.shift_start + travel, job.release)


def _certified(problem: Problem, job: Job) -> list[Vehicle]:
    pinned = {v.first_job: v.id for v in problem.vehicles if v.first_job is not None}
    return [v for v in problem.vehicles if v.can_serve(job) and pinned.get(job.id, v.id) == v.id]


def _earliest(problem: Problem, job: Job, certified: Sequence[Vehicle]) -> dict[str, int]:
    """Engineer id -> earliest start alone, for the ``ENGINEERS_TRIED`` earliest at least.

    Going straight there without a break is a lower bound of the exact start, so the
    engineers are timed in that order until the next bound passes the last of the
    earliest found: the earliest ones (hence whether anyone is on time) are exact.
    """
    starts: dict[str, int] = {}
    for vehicle in sorted(certified, key=lambda v: (_straight(problem, v, job), v.id)):
        kept = sorted(starts.values())
        if (
            len(kept) >= ENGINEERS_TRIED
            and _straight(problem, vehicle, job) > kept[ENGINEERS_TRIED - 1]
        ):
            break
        at = earliest_alone(problem, vehicle, job)
        if at is not None:
            starts[vehicle.id] = at
    return starts


def _nearest_relaxed(
    problem: Problem, job: Job, certified: Sequence[Vehicle]
) -> tuple[str | None, int | None]:
    """The engineer who could start earliest ignoring the day's end, and when."""
    best: tuple[int, str] | None = None
    for vehicle in sorted(certified, key=lambda v: (_straight(problem, v, job), v.id)):
        if best is not None and _straight(problem, vehicle, job) > best[0]:
            break
        free = Vehicle(
            vehicle.id,
            vehicle.start_location,
            vehicle.end_location,
            vehicle.shift_start,
            vehicle.shift_end,
            overtime_cap=10 * problem.horizon,
            breaks=vehicle.breaks,
        )
        relaxed = Problem(
            problem.durations, problem.distances, (job,), (free,), 11 * problem.horizon
        )
        at = earliest_alone(relaxed, free, Job(job.id, job.location, job.service, job.release))
        if at is not None and (best is None or (at, vehicle.id) < best):
            best = (at, vehicle.id)
    return (None, None) if best is None else (best[1], best[0])


def _full(problem: Problem, job: Job, solution: Solution, certified: Sequence[Vehicle]) -> bool:
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


def _cheapest(trials: Trials, job: Job, tried: Sequence[Trial | None]) -> Trial | None:
    """The cheapest trial whose whole plan passes the validator."""
    found = sorted(
        (t for t in tried if t is not None), key=lambda t: (t.objective_delta, t.engineer_id)
    )
    return next((t for t in found if trials.valid(job, t)), None)


def why_unassigned(trials: Trials, job: Job, unit: float) -> Reason:
    problem = trials.problem
    certified = _certified(problem, job)
    if not certified:
        return NoCertifiedEngineer(skill=job.skill, unit_seconds=unit)
    if all(job.release > _day_end(v) for v in certified):
        latest = max(_day_end(v) for v in certified)
        return OutsideEveryShift(release=job.release, latest_end=latest, unit_seconds=unit)
    starts = _earliest(problem, job, certified)
    if not starts:
        who, at = _nearest_relaxed(problem, job, certified)
        return CannotArriveInTime(
            engineer_id=who, earliest_start=at, due=job.due, unit_seconds=unit
        )
    able = [v for v in certified if v.id in starts]
    if _full(problem, job, trials.solution, able):
        return Capacity(engineers=tuple(v.id for v in able), unit_seconds=unit)
    tried = _first(able, starts)
    best = _cheapest(trials, job, [trials.serve(job, v, on_time=False) for v in tried])
    if best is not None and best.objective_delta < 0:
        return PlanCanImprove(trial=best, unit_seconds=unit)
    if best is not None:
        return CheaperThisWay(trial=best, drop_price=problem.drop_price(job), unit_seconds=unit)
    return _no_room(trials, job, tried, unit)


def _no_room(trials: Trials, job: Job, able: Sequence[Vehicle], unit: float) -> Reason:
    """No candidate can add the job: for more urgent jobs, or a swap's figures."""
    problem = trials.problem
    candidates = tuple(v.id for v in able)
    served = [(v, j) for v in able for j in trials.order(v.id) if j.id != v.first_job]
    weaker = [(v, j) for v, j in served if not more_urgent(problem, j, job)]
    if not weaker:
        ids = tuple(j.id for _, j in served)
        return DroppedForHigherPriority(candidates=candidates, served=ids, unit_seconds=unit)
    weaker.sort(key=lambda vj: (problem.drop_price(vj[1]), vj[1].lateness_cost, vj[1].id))
    swaps = [trials.serve(job, v, on_time=False, gives_up=j.id) for v, j in weaker[:SWAPS_TRIED]]
    best = _cheapest(trials, job, swaps)
    if best is not None and best.objective_delta < 0:
        return PlanCanImprove(trial=best, unit_seconds=unit)
    ids = tuple(j.id for _, j in weaker)
    return NoRoom(candidates=candidates, not_more_urgent=ids, trial=best, unit_seconds=unit)


def why_late(trials: Trials, job: Job, start: int, unit: float) -> Reason:
    problem = trials.problem
    due = job.due if job.due is not None else start
    late = late_by(job, start)
    starts = _earliest(problem, job, _certified(problem, job))
    able = [v for v in problem.vehicles if starts.get(v.id, due + 1) <= due]
    if not able:
        who = min(starts, key=lambda v: (starts[v], v), default=None)
        at = starts.get(who) if who is not None else None
        return CannotArriveInTime(
            engineer_id=who, earliest_start=at, due=due, late_by=late, unit_seconds=unit
        )
    tried = _first(able, starts)
    best = _cheapest(trials, job, [trials.serve(job, v, on_time=True) for v in tried])
    candidates = tuple(v.id for v in tried)
    if best is not None and best.objective_delta < 0:
        return PlanCanImprove(trial=best, late_by=late, unit_seconds=unit)
    if best is not None and not best.delays:
        return CheaperThisWay(trial=best, late_by=late, unit_seconds=unit)
    if best is not None:
        rivals = [problem.job(d.job_id) for d in best.delays]
    else:
        rivals = [j for v in tried for j in trials.order(v.id) if j.id != job.id]
    urgent = all(more_urgent(problem, rival, job) for rival in rivals)
    return BusyWithOtherJobs(
        late_by=late,
        due=due,
        candidates=candidates,
        trial=best,
        more_urgent=urgent,
        unit_seconds=unit,
    )


def explain(
    problem: Problem,
    solution: Solution,
    *,
    seconds_per_unit: float = 1.0,
    budget_s: float | None = None,
) -> dict[str, Reason]:
    """Job id -> reason, for every unassigned job and every job served after its due.

    Late jobs first, then the unassigned ones, each by priority (most urgent first).
    With ``budget_s``, the jobs not reached when it runs out get ``NotExamined``: a day
    with hundreds of jobs left out takes minutes to explain
    (``docs/benchmarks/field-days.md``, "Reasons").
    """
    trials = Trials(problem, solution)
    late = {
        stop.job_id: stop.start
        for route in solution.routes
        for stop in route.stops
        if stop.job_id in trials.jobs and late_by(trials.jobs[stop.job_id], stop.start) > 0
    }
    todo = [trials.jobs[j] for j in (*late, *solution.unassigned) if j in trials.jobs]
    todo.sort(key=lambda j: (j.id not in late, -problem.drop_price(j), -j.lateness_cost))
    stop_at = None if budget_s is None else time.monotonic() + budget_s
    reasons: dict[str, Reason] = {}
    for job in todo:
        if stop_at is not None and time.monotonic() >= stop_at:
            reasons[job.id] = NotExamined(budget_s=budget_s or 0.0, unit_seconds=seconds_per_unit)
        elif job.id in late:
            reasons[job.id] = why_late(trials, job, late[job.id], seconds_per_unit)
        else:
            reasons[job.id] = why_unassigned(trials, job, seconds_per_unit)
    return reasons
