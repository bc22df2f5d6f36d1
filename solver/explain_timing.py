"""Exact timing of one engineer's route, every placement of the breaks tried.

The explanations need to know when an engineer *could* be somewhere: going straight to a
site, or with one more job in the route. The planner's own timing cannot be the witness
(it is what is being explained), and the forward clock of ``solver.repair`` takes each
break at the first moment its window opens, which can put a lunch before a job that
could have been served first. This module enumerates, for a fixed order of jobs, the leg
on which each break is taken (the breaks keep the order of their windows), and times
each leg the best way for that choice:

- a fixed-length break (lunch) is taken at the first moment its window allows, on the
  road if it opens before the arrival, otherwise while waiting at the site; on the way
  home it is taken after the route's end when its window allows (it then costs nothing);
- a night (a break that ends at ``ends_at`` wherever it starts) is taken while waiting at
  the site, or after the route's end, when its window allows; otherwise on the road as
  late as its window allows (the engineer drives as far as possible before sleeping).

For one choice of legs every event is then as early as it can be, and lateness, the
route's end and overtime only grow with later events, so the best timing is among the
enumerated ones. The route leaves at the shift start, or later so as to arrive at the
first site when it is released or due, breaks possibly taken before leaving; ``latest_departure``
then pushes the departure as late as it goes without anything ending later. Times follow the
validator's convention (``solver.validate``), which checks every route made here before
any claim is made from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial

from solver.problem import Break, Job, Problem, Vehicle
from solver.solution import BreakTaken, Route, Stop


@dataclass(frozen=True, slots=True)
class _Leg:
    """One leg walked: arrival, service start (the arrival on the way home), breaks taken."""

    arrival: int
    start: int
    taken: tuple[BreakTaken, ...]


def _placement(brk: Break, now: int, remaining: int, arrived: int | None, home: bool) -> int | None:
    """When to start ``brk`` at ``now`` with ``remaining`` travel left, or None if it cannot."""
    there = arrived if arrived is not None else now + remaining
    after = max(brk.earliest_start, there, now)
    road: int | None = None
    if arrived is None:
        road = max(brk.earliest_start, now)
        if brk.ends_at is not None:
            road = max(road, min(brk.latest_start, there - 1))
        if road >= there or road > brk.latest_start:
            road = None
        elif not home and brk.ends_at is None:
            return road
    return after if after <= brk.latest_start else road


def _leg(now: int, travel: int, ready: int, breaks: Sequence[Break], home: bool) -> _Leg | None:
    """Travel from ``now`` taking ``breaks`` in order, then wait for ``ready``."""
    remaining, arrived = travel, None
    taken: list[BreakTaken] = []
    for brk in breaks:
        at = _placement(brk, now, remaining, arrived, home)
        if at is None:
            return None
        taken.append(BreakTaken(at, brk.length(at)))
        if arrived is None and at < now + remaining:
            remaining -= at - now
        elif arrived is None:
            arrived = now + remaining
        now = at + brk.length(at)
    arrival = arrived if arrived is not None else now + remaining
    start = arrival if home else max(arrival, ready, now)
    return _Leg(arrival, start, tuple(taken))


@dataclass(frozen=True, slots=True)
class _Walk:
    """One route being timed: its engineer, jobs in order, day end and start time.

    ``seen`` prunes dominated partial timings: with the same stops served and the same
    breaks left, one whose service starts and current time are all no later is at least
    as good for every criterion that grows with the times (lateness, end, a job's start).
    """

    problem: Problem
    vehicle: Vehicle
    jobs: Sequence[Job]
    day_end: int
    depart: int
    seen: dict[tuple[int, int], list[tuple[int, ...]]] = field(default_factory=dict)

    def _dominated(self, stops: tuple[Stop, ...], left: int) -> bool:
        times = (stops[-1].end, *(s.start for s in stops))
        known = self.seen.setdefault((len(stops), left), [])
        if any(all(a <= b for a, b in zip(other, times, strict=True)) for other in known):
            return True
        known.append(times)
        return False

    def legs(
        self,
        pending: tuple[Break, ...],
        now: int,
        stops: tuple[Stop, ...],
        taken: tuple[BreakTaken, ...],
    ) -> Iterator[Route]:
        here = self.jobs[len(stops) - 1].location if stops else self.vehicle.start_location
        if len(stops) == len(self.jobs):
            yield from self._home(pending, now, here, stops, taken)
            return
        job = self.jobs[len(stops)]
        travel = int(self.problem.durations[here, job.location])
        for split in range(len(pending) + 1):
            leg = _leg(now, travel, job.release, pending[:split], home=False)
            if leg is None or (job.hard_due and job.due is not None and leg.start > job.due):
                continue
            end, rest = leg.start + job.service, pending[split:]
            if end > self.day_end or any(b.latest_start < end for b in rest):
                continue
            served = (*stops, Stop(job.id, leg.arrival, leg.start, end))
            if not self._dominated(served, len(rest)):
                yield from self.legs(rest, end, served, taken + leg.taken)

    def _home(
        self,
        pending: tuple[Break, ...],
        now: int,
        here: int,
        stops: tuple[Stop, ...],
        taken: tuple[BreakTaken, ...],
    ) -> Iterator[Route]:
        travel = int(self.problem.durations[here, self.vehicle.end_location])
        leg = _leg(now, travel, 0, pending, home=True)
        if leg is not None and leg.arrival <= self.day_end:
            breaks = tuple(sorted(taken + leg.taken, key=lambda b: b.start))
            yield Route(self.vehicle.id, stops, self.depart, leg.arrival, breaks)


def timings(
    problem: Problem, vehicle: Vehicle, jobs: Sequence[Job], depart: int | None = None
) -> Iterator[Route]:
    """Every feasible timing of ``jobs`` in this order as ``vehicle``'s route.

    Feasible: releases, hard dues, capacity, the day's end (overtime cap and horizon) and
    every declared break taken once inside its window. Soft dues may be missed.
    """
    if vehicle.capacity is not None and sum(job.demand for job in jobs) > vehicle.capacity:
        return
    pending = tuple(sorted(vehicle.breaks, key=lambda b: (b.earliest_start, b.latest_start)))
    day_end = min(vehicle.shift_end + vehicle.overtime_cap, problem.horizon)
    departures = _departures(problem, vehicle, jobs) if depart is None else [depart]
    for leave in departures:
        walk = _Walk(problem, vehicle, jobs, day_end, leave)
        for before, taken in _before_leaving(vehicle.shift_start, leave, pending):
            yield from walk.legs(pending[before:], leave, (), taken)


def _before_leaving(
    shift_start: int, depart: int, pending: tuple[Break, ...]
) -> Iterator[tuple[int, tuple[BreakTaken, ...]]]:
    """The first breaks taken at the start before leaving: (how many, when), 0 first."""
    yield 0, ()
    now, taken = shift_start, tuple[BreakTaken, ...]()
    for count, brk in enumerate(pending, start=1):
        at = max(brk.earliest_start, now)
        if at > brk.latest_start or at + brk.length(at) > depart:
            return
        taken = (*taken, BreakTaken(at, brk.length(at)))
        now = at + brk.length(at)
        yield count, taken


def _departures(problem: Problem, vehicle: Vehicle, jobs: Sequence[Job]) -> list[int]:
    """Leaving at the shift start, or later to reach the first site at its release or due.

    A later departure shortens the route's span (priced by ``time_cost``) when the engineer
    would otherwise wait, or could take a break before leaving.
    """
    if not jobs:
        return [vehicle.shift_start]
    first = jobs[0]
    travel = int(problem.durations[vehicle.start_location, first.location])
    later = [first.release - travel]
    if first.due is not None:
        later.append(first.due - travel)
    return [vehicle.shift_start, *sorted({d for d in later if d > vehicle.shift_start})]


def timing_cost(problem: Problem, vehicle: Vehicle, jobs: Sequence[Job], route: Route) -> int:
    """The part of the route's cost that depends on its times: span, overtime, lateness.

    ``jobs`` are the route's jobs in the order of its stops.
    """
    cost = problem.time_cost * (route.end - route.start)
    cost += vehicle.overtime_cost * max(0, route.end - vehicle.shift_end)
    for job, stop in zip(jobs, route.stops, strict=True):
        if job.due is not None and not job.hard_due:
            cost += job.lateness_cost * max(0, stop.start - job.due)
    return cost


def best_timing(
    problem: Problem,
    vehicle: Vehicle,
    jobs: Sequence[Job],
    key: Callable[[Route], tuple[int, ...]] | None = None,
) -> Route | None:
    """The feasible timing of ``jobs`` smallest by ``key`` (default: the timing cost)."""

    def cheapest(route: Route) -> tuple[int, ...]:
        return (timing_cost(problem, vehicle, jobs, route),)

    return min(timings(problem, vehicle, jobs), key=key or cheapest, default=None)


def latest_departure(
    problem: Problem, vehicle: Vehicle, jobs: Sequence[Job], route: Route
) -> Route:
    """``route`` left later when that costs less: waiting is better done before leaving.

    The span is priced by the minute. Two binary searches on the departure, each for the
    latest one whose best timing costs no more lateness and overtime than ``route`` and
    either ends no later, or has no longer a span (a later departure can push work past
    a night, which ends the route much later), and leaving right after a lunch taken at
    the start of its window; the cheapest is kept.
    A heuristic: the departure's effect is not monotone once nights are involved.
    """
    if problem.time_cost <= 0 or not route.stops:
        return route

    def cost(r: Route) -> int:
        return timing_cost(problem, vehicle, jobs, r)

    def penalty(r: Route) -> int:
        return cost(r) - problem.time_cost * (r.end - r.start)

    limit, span = penalty(route), route.end - route.start
    rules: list[Callable[[Route], bool]] = [
        lambda r: penalty(r) <= limit and r.end <= route.end,
        lambda r: penalty(r) <= limit and r.end - r.start <= span,
    ]
    found = [
        _latest(route, partial(_fits, problem, vehicle, jobs, cost=cost, accept=rule))
        for rule in rules
    ]
    for brk in vehicle.breaks:  # lunch at the start of its window, then leave
        if brk.ends_at is None and brk.earliest_start + brk.duration > route.start:
            depart = brk.earliest_start + brk.duration
            found += [
                r
                for rule in rules
                if (r := _fits(problem, vehicle, jobs, depart, cost=cost, accept=rule))
            ]
    return min([route, *found], key=cost)


def _fits(
    problem: Problem,
    vehicle: Vehicle,
    jobs: Sequence[Job],
    depart: int,
    *,
    cost: Callable[[Route], int],
    accept: Callable[[Route], bool],
) -> Route | None:
    """The cheapest timing leaving at ``depart`` that ``accept`` takes."""
    fits = [r for r in timings(problem, vehicle, jobs, depart) if accept(r)]
    return min(fits, key=cost, default=None)


def _latest(route: Route, fits: Callable[[int], Route | None]) -> Route:
    """Binary search for the latest departure after ``route``'s that ``fits``."""
    best, low, high = route, route.start + 1, route.end
    while low <= high:
        middle = (low + high) // 2
        found = fits(middle)
        if found is None:
            high = middle - 1
        else:
            best, low = found, middle + 1
    return best
