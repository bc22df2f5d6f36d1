"""Trying what the plan did not do: a job served by another engineer, checked by the validator.

A trial changes at most two routes (the one that loses the job, the one that gains it),
re-times them exactly (``solver.explain_timing``), and is kept only if the changed plan
passes ``solver.validate.validate`` with no hard violation; its cost is
``solver.validate.objective``, so every figure a reason states is the checker's.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import replace

from solver.explain_reasons import Delay, Trial
from solver.explain_timing import best_timing, latest_departure, timing_cost
from solver.problem import Job, Problem, Vehicle
from solver.solution import Route, Solution
from solver.validate import hard, objective, validate


def more_urgent(problem: Problem, job: Job, than: Job) -> bool:
    """``job`` is more urgent than ``than``: a higher priority, or the same and due earlier.

    A job's priority is its drop price, then its lateness price (the dispatch layer scales
    both by the ticket's priority, emergency and carry-over); no due counts as the latest.
    """
    mine = (problem.drop_price(job), job.lateness_cost)
    theirs = (problem.drop_price(than), than.lateness_cost)
    if mine != theirs:
        return mine > theirs
    never = problem.horizon + 1
    return (job.due if job.due is not None else never) < (
        than.due if than.due is not None else never
    )


def apply_trial(solution: Solution, job_id: str, source: str | None, trial: Trial) -> Solution:
    """``solution`` with the trial made: ``source`` (the job's engineer in the plan, if any)
    and the trial's engineer get the trial's routes, the job leaves the unassigned list
    and the job given up, if any, joins it."""
    changed = {trial.engineer_id, source}
    others = tuple(r for r in solution.routes if r.vehicle_id not in changed)
    unassigned = tuple(j for j in solution.unassigned if j != job_id)
    return replace(
        solution,
        routes=others + trial.routes,
        unassigned=unassigned + ((trial.gives_up,) if trial.gives_up else ()),
    )


def late_by(job: Job, start: int) -> int:
    return max(0, start - job.due) if job.due is not None else 0


class Trials:
    """One plan, and the trials made on it."""

    def __init__(self, problem: Problem, solution: Solution) -> None:
        self.problem, self.solution = problem, solution
        self.jobs = {job.id: job for job in problem.jobs}
        self.vehicles = {vehicle.id: vehicle for vehicle in problem.vehicles}
        self.routes = {route.vehicle_id: route for route in solution.routes}
        self.serving = {s.job_id: r.vehicle_id for r in solution.routes for s in r.stops}
        self.unassigned = set(solution.unassigned)

    def order(self, vehicle_id: str) -> list[Job]:
        route = self.routes.get(vehicle_id)
        return [self.jobs[job_id] for job_id in route.job_ids] if route else []

    def timed(
        self, vehicle: Vehicle, jobs: Sequence[Job], accept: Callable[[Route], bool]
    ) -> Route | None:
        """The cheapest exact timing of ``jobs`` that ``accept`` takes, left as late as it may."""

        def cost(route: Route) -> tuple[int, ...]:
            return (0 if accept(route) else 1, timing_cost(self.problem, vehicle, jobs, route))

        route = best_timing(self.problem, vehicle, jobs, key=cost)
        if route is None or not accept(route):
            return None
        later = latest_departure(self.problem, vehicle, jobs, route)
        return later if accept(later) else route

    def _cost(self, routes: Sequence[Route], unassigned: tuple[str, ...] = ()) -> int:
        """The checker's objective of a plan holding only ``routes`` and ``unassigned``."""
        partial = replace(self.solution, routes=tuple(routes), unassigned=unassigned)
        return objective(self.problem, partial)

    def serve(
        self, job: Job, vehicle: Vehicle, *, on_time: bool, gives_up: str | None = None
    ) -> Trial | None:
        """The cheapest plan where ``vehicle`` serves ``job``, or None if none fits.

        Not yet validated as a whole: ``valid`` does that for the trial a reason uses.
        """
        source = self.serving.get(job.id)
        changed = [v for v in dict.fromkeys((source, vehicle.id)) if v is not None]
        keep = {v: [j for j in self.order(v) if j.id not in (job.id, gives_up)] for v in changed}
        fixed: list[Route] = []
        if source is not None and source != vehicle.id and keep[source]:
            retimed = self.timed(self.vehicles[source], keep[source], lambda _: True)
            if retimed is None:
                return None
            fixed.append(retimed)
        target = self._insert(job, vehicle, keep[vehicle.id], on_time, fixed)
        if target is None:
            return None
        return self._check(job, changed, [*fixed, target], gives_up)

    def _insert(
        self, job: Job, vehicle: Vehicle, jobs: list[Job], on_time: bool, fixed: list[Route]
    ) -> Route | None:
        def accept(route: Route) -> bool:
            stop = next(s for s in route.stops if s.job_id == job.id)
            return not on_time or late_by(job, stop.start) == 0

        pinned = vehicle.first_job is not None and vehicle.first_job != job.id
        best: tuple[int, Route] | None = None
        for at in range(1 if pinned and jobs else 0, len(jobs) + 1):
            order = [*jobs[:at], job, *jobs[at:]]
            route = self.timed(vehicle, order, accept)
            if route is not None:
                cost = self._cost([*fixed, route])
                if best is None or cost < best[0]:
                    best = (cost, route)
        return None if best is None else best[1]

    def _check(
        self, job: Job, changed: list[str], routes: list[Route], gives_up: str | None
    ) -> Trial:
        """The trial's figures; ``objective_delta`` from the changed routes alone.

        The objective of a plan holding only the changed routes (and the jobs left out
        among them) differs from the whole plan's by what the other routes cost, the
        same before and after, so the difference is the whole plans' difference.
        """
        old = [self.routes[v] for v in changed if v in self.routes]
        before = (job.id,) if job.id in self.unassigned else ()
        delta = self._cost(routes, (gives_up,) if gives_up else ()) - self._cost(old, before)
        stop = next(s for r in routes for s in r.stops if s.job_id == job.id)
        return Trial(
            engineer_id=routes[-1].vehicle_id,
            start=stop.start,
            late_by=late_by(job, stop.start),
            objective_delta=delta,
            extra_distance=self._distance(routes) - self._distance(old),
            extra_time=sum(r.end - r.start for r in routes) - sum(r.end - r.start for r in old),
            delays=self._delays(job, old, routes),
            gives_up=gives_up,
            routes=tuple(routes),
        )

    def valid(self, job: Job, trial: Trial) -> bool:
        """Whether the trial's whole plan passes the validator with no hard violation."""
        plan = apply_trial(self.solution, job.id, self.serving.get(job.id), trial)
        return not hard(validate(self.problem, plan))

    def _distance(self, routes: Sequence[Route]) -> int:
        total = 0
        for route in routes:
            vehicle = self.vehicles[route.vehicle_id]
            path = [vehicle.start_location, *(self.jobs[j].location for j in route.job_ids)]
            path.append(vehicle.end_location)
            total += sum(int(self.problem.distances[a, b]) for a, b in itertools.pairwise(path))
        return total

    def _delays(self, job: Job, old: Sequence[Route], new: Sequence[Route]) -> tuple[Delay, ...]:
        """Other jobs the trial serves later past their due than the plan does."""
        was = {s.job_id: late_by(self.jobs[s.job_id], s.start) for r in old for s in r.stops}
        delays = []
        for route in new:
            for stop in route.stops:
                now = late_by(self.jobs[stop.job_id], stop.start)
                if stop.job_id != job.id and now > was.get(stop.job_id, 0):
                    delays.append(Delay(stop.job_id, now, was.get(stop.job_id, 0)))
        return tuple(delays)
