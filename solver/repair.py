"""Put the declared breaks into routes planned without them (the relaxed warm start).

Each route is re-timed forward from its shift start. A break due before the next service
is taken on site at the arrival when its window allows (it delays no arrival), else on
the road as late as its window allows (delaying the arrival; a night that ends at the
next shift start is then as short as it can be); other breaks after the route's end.
When a route cannot fit its breaks, its hard day end or a hard due, its last stop is
dropped until it fits. The result is a complete plan under
the validator's conventions, and the routes the real model starts its search from.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from solver.problem import Break, Job, Problem, Vehicle
from solver.solution import BreakTaken, Route, Solution, Stop


@dataclass(slots=True)
class _Clock:
    """The engineer's time while walking a route, and the breaks not yet taken."""

    now: int
    pending: list[Break]
    taken: list[BreakTaken] = field(default_factory=list)

    def leg(self, travel: int, ready: int, service: int = 0) -> tuple[int, int] | None:
        """Travel then wait for ``ready``, taking due breaks; (arrival, start) or None.

        A break is taken before the service when its window opens before the service
        would start, or when it would close during the service (the engineer then waits
        for the window, takes the break, and starts after it).
        """
        arrival = self.now + travel
        start = max(arrival, ready)
        for brk in list(self.pending):
            at = max(brk.earliest_start, self.now)
            if at > brk.latest_start or (at >= start and brk.latest_start >= start + service):
                continue
            self.pending.remove(brk)
            at = max(brk.earliest_start, arrival)
            if at > brk.latest_start:
                at = brk.latest_start
            length = brk.length(at)
            self.taken.append(BreakTaken(at, length))
            if at < arrival:
                arrival += length
            start = max(arrival, ready, at + length)
        if any(b.latest_start < start for b in self.pending):
            return None
        return arrival, start

    def finish(self) -> bool:
        """Take the remaining breaks after the route's end, if their windows allow."""
        for brk in self.pending:
            at = max(brk.earliest_start, self.now)
            if at > brk.latest_start:
                return False
            self.taken.append(BreakTaken(at, brk.length(at)))
            self.now = at + brk.length(at)
        self.pending = []
        return True


def timed_route(problem: Problem, vehicle: Vehicle, jobs: list[Job]) -> Route | None:
    """``jobs`` in this order as ``vehicle``'s route, breaks timed in; None if infeasible."""
    clock = _Clock(vehicle.shift_start, sorted(vehicle.breaks, key=lambda b: b.earliest_start))
    here, stops = vehicle.start_location, []
    for job in jobs:
        timing = clock.leg(int(problem.durations[here, job.location]), job.release, job.service)
        if timing is None or (job.hard_due and job.due is not None and timing[1] > job.due):
            return None
        stops.append(Stop(job.id, timing[0], timing[1], timing[1] + job.service))
        clock.now, here = timing[1] + job.service, job.location
    back = clock.leg(int(problem.durations[here, vehicle.end_location]), 0)
    if back is None:
        return None
    end = back[0]
    if end > min(vehicle.shift_end + vehicle.overtime_cap, problem.horizon):
        return None
    clock.now = end
    if not clock.finish():
        return None
    taken = tuple(sorted(clock.taken, key=lambda b: b.start))
    return Route(vehicle.id, tuple(stops), vehicle.shift_start, end, taken)


def with_breaks(problem: Problem, solution: Solution) -> Solution:
    """``solution``'s routes re-timed with their breaks; stops that do not fit dropped."""
    jobs = {j.id: j for j in problem.jobs}
    vehicles = {v.id: v for v in problem.vehicles}
    routes: list[Route] = []
    dropped: list[str] = []
    for route in solution.routes:
        vehicle = vehicles[route.vehicle_id]
        order = [jobs[j] for j in route.job_ids]
        timed = timed_route(problem, vehicle, order)
        while timed is None and order:
            dropped.append(order.pop().id)
            timed = timed_route(problem, vehicle, order)
        if timed is not None and timed.stops:
            routes.append(timed)
    unassigned = tuple(solution.unassigned) + tuple(dropped)
    stats = replace(solution.stats, engine="ortools-relaxed", status="repaired")
    return replace(solution, routes=tuple(routes), unassigned=unassigned, stats=stats)
