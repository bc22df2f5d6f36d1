"""Fit one new job into an existing plan: cheapest insertions, and a short local repair.

An arrival promise at intake must come back at once, so this does not solve: it keeps
every route of the plan as it is and tries the new job at every position of every route
that may serve it (each route re-timed with ``solver.repair.timed_route``). Stops of the
plan are *held*: they never start earlier than the plan had them (an engineer does not
turn up early because a stop was re-timed), so the only changes are the insertion's own.
The best positions are then ranked by ``solver.validate.objective`` of the whole plan,
the planner's own objective. A candidate that makes stops of its route late also tries a
short repair: each newly late stop (at most ``REPAIR_STOPS``) is moved to the cheapest
position on another route that may serve it, kept if the plan's objective improves.

Positions before ``earliest[vehicle]`` are closed (stops done, under way or in the past),
and only jobs in ``movable`` may change route in a repair.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from itertools import pairwise

from solver.problem import Job, Problem, Vehicle
from solver.repair import timed_route
from solver.solution import Route, Solution, SolveStats
from solver.validate import hard, objective, validate

REPAIR_STOPS = 2
"""How many newly late stops a repair tries to move away from the chosen route."""
REPAIR_TARGETS = 12
"""How many other routes (nearest start first) a moved stop is tried on."""
SHORTLIST = 4
"""Candidates per option asked for that get the exact objective (and a repair)."""


@dataclass(frozen=True, slots=True)
class Move:
    """A stop the repair takes off the chosen route and puts on another."""

    job_id: str
    vehicle_id: str
    position: int


@dataclass(frozen=True, slots=True)
class Insertion:
    """Where the new job goes, and the stops a repair moves to make room.

    ``key`` is its stable text form (``E03:2`` or ``E03:2+117>E05:0``), which a client
    sends back to have exactly this insertion applied.
    """

    vehicle_id: str
    position: int
    moves: tuple[Move, ...] = ()

    @property
    def key(self) -> str:
        moved = "".join(f"+{m.job_id}>{m.vehicle_id}:{m.position}" for m in self.moves)
        return f"{self.vehicle_id}:{self.position}{moved}"

    @classmethod
    def parse(cls, key: str) -> Insertion:
        """The insertion a ``key`` names; ``ValueError`` if it is malformed."""
        head, *moved = key.split("+")
        vehicle, position = _at(head)
        moves = []
        for part in moved:
            job, sep, target = part.partition(">")
            if not sep or not job:
                raise ValueError(f"malformed option key {key!r}")
            moves.append(Move(job, *_at(target)))
        return cls(vehicle, position, tuple(moves))


def _at(text: str) -> tuple[str, int]:
    vehicle, sep, position = text.rpartition(":")
    if not sep or not vehicle or not position.isdigit():
        raise ValueError(f"malformed option position {text!r}: expected VEHICLE:POSITION")
    return vehicle, int(position)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An insertion with the whole plan it gives and that plan's objective."""

    insertion: Insertion
    solution: Solution
    objective: int


@dataclass(slots=True)
class Plan:
    """The plan being fitted into: routes as job ids, and how to time them."""

    problem: Problem
    routes: dict[str, list[str]]
    hold: Mapping[str, int] = field(default_factory=dict)
    """Job id -> the start the plan gave it: a re-timed stop never starts earlier."""
    earliest: Mapping[str, int] = field(default_factory=dict)
    """Vehicle id -> the first position open to an insertion."""
    movable: frozenset[str] = frozenset()
    """Jobs a repair may move to another route."""
    _jobs: dict[str, Job] = field(init=False)
    _held_jobs: dict[str, Job] = field(init=False)
    _vehicles: dict[str, Vehicle] = field(init=False)
    _timed: dict[str, Route] = field(init=False)
    _loose: set[str] = field(init=False)
    _base: int | None = field(init=False, default=None)
    """Vehicles whose planned route the held clock cannot time: timed without holds."""

    def __post_init__(self) -> None:
        self._jobs = {j.id: j for j in self.problem.jobs}
        self._held_jobs = {j.id: _held(j, self.hold.get(j.id)) for j in self.problem.jobs}
        self._vehicles = {v.id: v for v in self.problem.vehicles}
        self._timed, self._loose = {}, set()
        for vehicle_id, ids in self.routes.items():
            route = self.time(vehicle_id, ids)
            if route is None:
                self._loose.add(vehicle_id)
                route = self.time(vehicle_id, ids)
            if route is not None:
                self._timed[vehicle_id] = route

    def time(
        self, vehicle_id: str, ids: list[str], *, unheld: frozenset[str] = frozenset()
    ) -> Route | None:
        """The route of ``ids`` in order, held stops not before their planned start.

        A vehicle whose planned route the held clock cannot time (breaks the plan placed
        where the clock would not) is timed without holds. ``unheld`` names stops that
        are new to this route and so have no planned start on it.
        """
        loose = vehicle_id in self._loose
        jobs = [self._jobs[j] if loose or j in unheld else self._held_jobs[j] for j in ids]
        return timed_route(self.problem, self._vehicles[vehicle_id], jobs)

    @property
    def timed(self) -> Mapping[str, Route]:
        """The plan's routes as this clock times them (routes it cannot time left out)."""
        return self._timed

    def baseline(self, job_id: str) -> Solution:
        """The plan as it is, with ``job_id`` unassigned."""
        return self._solution(dict(self._timed))

    def _solution(self, routes: dict[str, Route], value: int | None = None) -> Solution:
        """The plan of ``routes``; its objective recomputed unless ``value`` is given."""
        placed = {s.job_id for r in routes.values() for s in r.stops}
        left = tuple(j.id for j in self.problem.jobs if j.id not in placed)
        stats = SolveStats(objective=0, wall_seconds=0.0, engine="insertion", status="insertion")
        done = tuple(r for _, r in sorted(routes.items()) if r.stops)
        solution = Solution(routes=done, unassigned=left, stats=stats)
        if value is None:
            value = objective(self.problem, solution)
        return replace(solution, stats=replace(stats, objective=value))

    def _estimate(self, job_id: str, timed: dict[str, Route], touched: set[str]) -> int | None:
        """The objective with ``job_id`` placed, from the touched routes' costs alone.

        Equal to ``solver.validate.objective`` when no change of next stop is priced
        (``change_cost`` 0, as in an intake problem); ``None`` otherwise.
        """
        if self.problem.change_cost > 0:
            return None
        if self._base is None:
            self._base = self.baseline(job_id).stats.objective
        delta = sum(
            self.route_cost(timed[v]) - self.route_cost(self._timed.get(v)) for v in touched
        )
        return self._base - self.problem.drop_price(self._jobs[job_id]) + delta

    def job(self, job_id: str) -> Job:
        return self._jobs[job_id]

    def late_by(self, route: Route | None) -> dict[str, int]:
        """Job id -> units late, for the late stops of ``route``."""
        if route is None:
            return {}
        return {
            s.job_id: s.start - due
            for s in route.stops
            if (due := self._jobs[s.job_id].due) is not None and s.start > due
        }

    def route_cost(self, route: Route | None) -> int:
        """Distance, span, overtime and lateness of one route: its share of the objective."""
        if route is None or not route.stops:
            return 0
        vehicle = self._vehicles[route.vehicle_id]
        places = [self._jobs[s.job_id].location for s in route.stops]
        path = [vehicle.start_location, *places, vehicle.end_location]
        metres = sum(int(self.problem.distances[a, b]) for a, b in pairwise(path))
        late = 0
        for stop in route.stops:
            job = self._jobs[stop.job_id]
            if job.due is not None and not job.hard_due and stop.start > job.due:
                late += job.lateness_cost * (stop.start - job.due)
        overtime = max(0, route.end - vehicle.shift_end) * vehicle.overtime_cost
        span = (route.end - route.start) * self.problem.time_cost
        return metres * self.problem.distance_cost + span + overtime + late

    def cheapest(self, job_id: str, vehicle_id: str) -> tuple[int, int, Route] | None:
        """(added cost, position, route) of the best place for ``job_id`` on a route."""
        vehicle = self._vehicles[vehicle_id]
        if not vehicle.can_serve(self._jobs[job_id]):
            return None
        ids = self.routes.get(vehicle_id, [])
        before = self.route_cost(self._timed.get(vehicle_id))
        if ids and vehicle_id not in self._timed:
            return None
        new = frozenset({job_id})
        best: tuple[int, int, Route] | None = None
        for at in range(self.earliest.get(vehicle_id, 0), len(ids) + 1):
            route = self.time(vehicle_id, [*ids[:at], job_id, *ids[at:]], unheld=new)
            if route is None:
                continue
            added = self.route_cost(route) - before
            if best is None or added < best[0]:
                best = (added, at, route)
        return best

    def with_insertion(
        self, job_id: str, insertion: Insertion, *, exact: bool = True
    ) -> Candidate | None:
        """The plan with ``insertion`` applied, or None if it does not fit.

        ``exact``: the objective recomputed by ``solver.validate.objective`` and the plan
        checked by the validator (None if it breaks a hard rule); otherwise the objective
        from the touched routes alone, for ranking many candidates quickly.
        """
        routes = {v: list(ids) for v, ids in self.routes.items()}
        ids = routes.setdefault(insertion.vehicle_id, [])
        if insertion.vehicle_id not in self._vehicles:
            return None
        if not self.earliest.get(insertion.vehicle_id, 0) <= insertion.position <= len(ids):
            return None
        ids.insert(insertion.position, job_id)
        for move in insertion.moves:
            if not self._apply_move(routes, move, insertion.vehicle_id):
                return None
        new = frozenset({job_id, *(m.job_id for m in insertion.moves)})
        timed = dict(self._timed)
        touched = {insertion.vehicle_id, *(m.vehicle_id for m in insertion.moves)}
        for vehicle_id in touched:
            route = self.time(vehicle_id, routes[vehicle_id], unheld=new)
            if route is None:
                return None
            timed[vehicle_id] = route
        estimate = None if exact else self._estimate(job_id, timed, touched)
        solution = self._solution(timed, estimate)
        if estimate is None and hard(validate(self.problem, solution)):
            return None
        return Candidate(insertion, solution, solution.stats.objective)

    def _apply_move(self, routes: dict[str, list[str]], move: Move, origin: str) -> bool:
        source = routes[origin]
        if move.job_id not in self.movable or move.job_id not in source:
            return False
        if move.vehicle_id == origin or move.vehicle_id not in self._vehicles:
            return False
        if not self._vehicles[move.vehicle_id].can_serve(self._jobs[move.job_id]):
            return False
        target = routes.setdefault(move.vehicle_id, [])
        if not self.earliest.get(move.vehicle_id, 0) <= move.position <= len(target):
            return False
        source.remove(move.job_id)
        target.insert(move.position, move.job_id)
        return True


def _held(job: Job, start: int | None) -> Job:
    """The job as the held clock sees it: not before its planned start."""
    if start is None or start <= job.release or job.hard_due:
        return job
    return replace(job, release=start)


def options(plan: Plan, job_id: str, *, count: int = 3) -> list[Candidate]:
    """The best ``count`` ways to fit ``job_id`` in, one per vehicle, best objective first.

    Candidates are ranked on the touched routes' costs; the ones returned are recomputed
    by ``solver.validate.objective`` and checked by the validator.
    """
    firsts: list[tuple[int, str, int]] = []
    for vehicle in plan.problem.vehicles:
        found = plan.cheapest(job_id, vehicle.id)
        if found is not None:
            firsts.append((found[0], vehicle.id, found[1]))
    firsts.sort()
    best: dict[str, Candidate] = {}
    for _, vehicle_id, position in firsts[: max(count, 1) * SHORTLIST]:
        candidate = plan.with_insertion(job_id, Insertion(vehicle_id, position), exact=False)
        if candidate is None:
            continue
        repaired = repair(plan, job_id, candidate)
        chosen = repaired if repaired.objective < candidate.objective else candidate
        if vehicle_id not in best or chosen.objective < best[vehicle_id].objective:
            best[vehicle_id] = chosen
    checked: list[Candidate] = []
    for candidate in sorted(best.values(), key=lambda c: (c.objective, c.insertion.key)):
        exact = plan.with_insertion(job_id, candidate.insertion)
        if exact is not None:
            checked.append(exact)
        if len(checked) == count:
            break
    return sorted(checked, key=lambda c: (c.objective, c.insertion.key))


def repair(plan: Plan, job_id: str, candidate: Candidate) -> Candidate:
    """Move stops the insertion made late to other routes, while the objective improves."""
    vehicle_id = candidate.insertion.vehicle_id
    before = plan.late_by(plan.timed.get(vehicle_id))
    after = plan.late_by(candidate.solution.route_of(vehicle_id))
    worse = sorted(
        (j for j in after if j != job_id and after[j] > before.get(j, 0) and j in plan.movable),
        key=lambda j: before.get(j, 0) - after[j],
    )
    best = candidate
    for moved in worse[:REPAIR_STOPS]:
        trial = _best_move(plan, job_id, best, moved)
        if trial is not None and trial.objective < best.objective:
            best = trial
    return best


def _best_move(plan: Plan, job_id: str, current: Candidate, moved: str) -> Candidate | None:
    """The best of ``current`` with ``moved`` taken to another nearby route."""
    problem = plan.problem
    site = plan.job(moved).location
    others = sorted(
        (v for v in problem.vehicles if v.id != current.insertion.vehicle_id),
        key=lambda v: int(problem.durations[v.start_location, site]),
    )
    best: Candidate | None = None
    for vehicle in others[:REPAIR_TARGETS]:
        found = plan.cheapest(moved, vehicle.id)
        if found is None:
            continue
        move = Move(moved, vehicle.id, found[1])
        insertion = replace(current.insertion, moves=(*current.insertion.moves, move))
        trial = plan.with_insertion(job_id, insertion, exact=False)
        if trial is not None and (best is None or trial.objective < best.objective):
            best = trial
    return best
