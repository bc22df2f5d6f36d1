"""The best plan made of routes the search has already seen: set partitioning over a pool.

Ruin and recreate's independent attempts end in different basins, and each basin's plan has
some routes better than the others'. Every route of every plan the search accepts goes into
a ``RoutePool`` (engineer, jobs in order, cost); at the end a small integer programme picks
one route per engineer (the empty one included) so that no job is served twice, each job not
served costs its drop price, and the total is least. That total is the search's own
objective (a sum over routes plus drop prices), so the programme's plan is the best
combination of the routes seen, and never worse than the best attempt's, which it is given
as a hint. This is the set-partitioning step of ILS-SP (Subramanian, Uchoa & Ochi 2013),
solved by SCIP through OR-Tools' linear solver interface; measured in
``docs/solver/ruin-and-recreate.md`` ("Recombining the routes seen", session 11).

With two workers, the second one recombines both workers' routes (the *lead*, session 13):
at an agreed time the first worker posts its pool and its best plan so far (``Outbox``),
and the second one stops exploring, takes them (``Inbox``) and spends the rest of its time
on one programme over both pools, hinted with the better of the two workers' best plans,
while the first worker explores on and recombines its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.linear_solver import pywraplp

from solver.recreate import State

RouteKey = tuple[int, tuple[int, ...]]
"""A route: the vehicle's index and its jobs' positions in the order visited."""


@dataclass(slots=True)
class RoutePool:
    """Routes seen in accepted plans and their costs, at most about ``limit`` of them.

    Past ``limit`` the older half is forgotten (the search's later routes are its better
    ones); the routes of each attempt's best plan (``keep``) are never forgotten. ``best``
    is the best plan added (or joined). With an ``outbox``, the pool posts itself there
    when its time has come.
    """

    limit: int
    routes: dict[RouteKey, int] = field(default_factory=dict)
    kept: dict[RouteKey, int] = field(default_factory=dict)
    outbox: Outbox | None = None
    best: State | None = None

    def add(self, state: State, before: State | None = None) -> None:
        """The routes of ``state`` (only those not in ``before``, the same tuples, if given)."""
        routes = self.routes
        for v, seq in enumerate(state.routes):
            if before is None or seq is not before.routes[v]:
                routes[(v, seq)] = state.costs[v]
        if len(routes) > self.limit:
            newer = list(routes.items())[len(routes) // 2 :]
            self.routes = dict(newer)
        if self.best is None or state.total < self.best.total:
            self.best = state.copy()
        if self.outbox is not None:
            self.outbox.post(self)

    def keep(self, state: State) -> None:
        """Never forget the routes of ``state`` (an attempt's best plan)."""
        for v, seq in enumerate(state.routes):
            self.kept[(v, seq)] = state.costs[v]

    def distinct(self) -> dict[RouteKey, int]:
        """Per vehicle and set of jobs, the cheapest order seen: the programme's columns."""
        cheapest: dict[tuple[int, frozenset[int]], RouteKey] = {}
        every = {**self.routes, **self.kept}
        for key, cost in every.items():
            v, seq = key
            group = (v, frozenset(seq))
            held = cheapest.get(group)
            if held is None or cost < every[held]:
                cheapest[group] = key
        return {key: every[key] for key in cheapest.values()}

    def __len__(self) -> int:
        return len(self.routes.keys() | self.kept.keys())

    def posted(self) -> PostedPool:
        """What ``Outbox`` sends: every route held, with its cost, and the best plan seen."""
        return PostedPool({**self.routes, **self.kept}, self.best)

    def join(self, posted: object) -> int:
        """Keep another worker's routes for good, and its best plan if better; how many came.

        Anything but a ``PostedPool`` is ignored.
        """
        if not isinstance(posted, PostedPool):
            return 0
        self.kept.update(posted.routes)
        best = posted.best
        if best is not None and (self.best is None or best.total < self.best.total):
            self.best = best
        return len(posted.routes)


@dataclass(frozen=True, slots=True)
class PostedPool:
    """One worker's routes, each with its cost, and the best plan it has seen."""

    routes: dict[RouteKey, int]
    best: State | None


@dataclass(slots=True)
class Outbox:
    """Where the first worker posts its pool, once, as soon as ``at`` (``time.time()``) has come.

    ``send`` takes ``RoutePool.posted``; ``post`` may be called after every accepted
    move: until the time has come it costs a clock reading.
    """

    send: Callable[[PostedPool], object]
    at: float
    sent: bool = False

    def post(self, pool: RoutePool) -> None:
        """Send the pool if its time has come and it has not been sent yet."""
        if not self.sent and time.time() >= self.at:
            self.flush(pool)

    def flush(self, pool: RoutePool) -> None:
        """Send the pool now unless it has been sent (the worker stops exploring before ``at``)."""
        if not self.sent:
            self.sent = True
            self.send(pool.posted())


@dataclass(frozen=True, slots=True)
class Inbox:
    """Where the second worker takes the first worker's routes: at ``at`` it stops exploring.

    ``receive(wait_s)`` gives what was posted (``Outbox``), waiting up to ``wait_s``.
    """

    receive: Callable[[float], object]
    at: float
    wait_s: float


CLIQUE_CUTS_ONLY = (
    "\n".join(
        f"separating/{name}/freq = -1"
        for name in (
            "aggregation",
            "cmir",
            "disjunctive",
            "flowcover",
            "gomory",
            "impliedbounds",
            "intobj",
            "knapsackcover",
            "lagromory",
            "mcf",
            "minor",
            "mixing",
            "rlt",
            "strongcg",
            "zerohalf",
        )
    )
    + "\nconflict/enable = FALSE\n"
)
"""SCIP's settings for the programme: clique cuts only, no conflict analysis.

Clique cuts alone close the root's gap on these pools (the relaxation lies about 30 %
under the plan, and a clique of routes that pairwise share a job or an engineer is what it
violates); the other separators and conflict analysis only cost time. On two workers'
pools of ``storm`` 7, within 1.5 s the programme finds the 60 s plan in 6 of 16 pairs
instead of 0 (``bench/pools.py --held-s 1.5``; ``docs/solver/ruin-and-recreate.md``,
session 16).
"""


@dataclass(frozen=True, slots=True)
class Partition:
    """What the programme is given: per vehicle its empty route's cost, per job its drop."""

    empty_costs: list[int | None]
    drop: list[int]


def recombine(
    pool: RoutePool,
    partition: Partition,
    incumbent: State,
    seconds: float,
    nodes: int | None = None,
    clique_cuts_only: bool = True,
) -> State | None:
    """The least-cost plan of pooled routes found in ``seconds``, if it beats ``incumbent``.

    ``nodes`` bounds SCIP's branch and bound by a count, so that a search bounded by moves
    gives the same plan whenever the time is not what stops it. ``clique_cuts_only``
    switches SCIP to ``CLIQUE_CUTS_ONLY`` (off only to measure what it buys).
    """
    began = time.perf_counter()
    columns = pool.distinct()
    for v, cost in enumerate(partition.empty_costs):
        if cost is not None:
            columns.setdefault((v, ()), cost)
    solver = pywraplp.Solver.CreateSolver("SCIP")
    if solver is None or not columns:
        return None
    keys = list(columns)
    chosen = _programme(solver, keys, columns, partition, incumbent)
    settings = CLIQUE_CUTS_ONLY if clique_cuts_only else ""
    if nodes is not None:
        settings += f"limits/nodes = {nodes}\n"
    if settings:
        solver.SetSolverSpecificParametersAsString(settings)
    left = seconds - (time.perf_counter() - began)
    solver.SetTimeLimit(max(1, int(left * 1000)))
    if solver.Solve() not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None
    picked = [keys[i] for i, x in enumerate(chosen) if x.solution_value() > 0.5]
    state = _state(picked, columns, partition, len(incumbent.routes))
    return state if state is not None and state.total < incumbent.total else None


def _programme(
    solver: pywraplp.Solver,
    keys: list[RouteKey],
    columns: dict[RouteKey, int],
    partition: Partition,
    incumbent: State,
) -> list[pywraplp.Variable]:
    """One route per vehicle, each job served once or left out; least routes plus drops."""
    vehicles = [solver.Constraint(1, 1) for _ in partition.empty_costs]
    jobs = [solver.Constraint(1, 1) for _ in partition.drop]
    objective = solver.Objective()
    chosen = [solver.BoolVar("") for _ in keys]
    for x, key in zip(chosen, keys, strict=True):
        v, seq = key
        vehicles[v].SetCoefficient(x, 1)
        for j in seq:
            jobs[j].SetCoefficient(x, 1)
        objective.SetCoefficient(x, float(columns[key]))
    for j, price in enumerate(partition.drop):
        left_out = solver.BoolVar("")
        jobs[j].SetCoefficient(left_out, 1)
        objective.SetCoefficient(left_out, float(price))
    objective.SetMinimization()
    held = {(v, seq) for v, seq in enumerate(incumbent.routes)}
    solver.SetHint(chosen, [1.0 if key in held else 0.0 for key in keys])
    return chosen


def _state(
    picked: list[RouteKey], columns: dict[RouteKey, int], partition: Partition, vehicles: int
) -> State | None:
    """The plan of the picked routes, or None if they are not one per vehicle, disjoint."""
    routes: list[tuple[int, ...]] = [() for _ in range(vehicles)]
    costs = [0] * vehicles
    seen: set[int] = set()
    served: set[int] = set()
    for v, seq in picked:
        if v in seen or served.intersection(seq):
            return None
        seen.add(v)
        served.update(seq)
        routes[v], costs[v] = seq, columns[(v, seq)]
    for v in set(range(vehicles)) - seen:
        empty = partition.empty_costs[v]
        if empty is None:
            return None
        costs[v] = empty
    unassigned = set(range(len(partition.drop))) - served
    total = sum(costs) + sum(partition.drop[j] for j in unassigned)
    return State(routes, costs, unassigned, total)
