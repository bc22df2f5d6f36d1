"""OR-Tools search: parameters from ``SolveParams``, progress reporting, the solve loop.

A plan must always come back: the configured first-solution strategy is tried first and,
if it finds nothing, the others of ``FALLBACK_FIRST_SOLUTIONS`` in turn, each on a fresh
model, within what is left of the time limit. Every job being optional (disjunctions),
the insertion heuristics essentially always succeed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from solver import model as routing_model
from solver.extract import extract
from solver.params import FALLBACK_FIRST_SOLUTIONS, FirstSolution, Progress, SolveParams
from solver.problem import Problem
from solver.prune import allowed_vehicles
from solver.repair import with_breaks
from solver.solution import Solution, SolveStats

#: Below this much time left, do not start another fallback strategy.
MIN_ATTEMPT_S = 0.05
#: Time allowed to complete a warm start from given routes (breaks, cumuls), at most
#: this share of the time limit.
WARM_START_S = 2.0
WARM_START_SHARE = 0.15


def search_parameters(params: SolveParams, strategy: FirstSolution, seconds: float) -> Any:
    """The routing search parameters for one attempt."""
    sp = pywrapcp.DefaultRoutingSearchParameters()
    sp.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, strategy)
    meta = routing_enums_pb2.LocalSearchMetaheuristic
    if params.metaheuristic == "ILS":
        _iterated_local_search(sp)
        sp.local_search_metaheuristic = meta.GREEDY_DESCENT
    else:
        sp.local_search_metaheuristic = getattr(meta, params.metaheuristic)
    sp.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
    if params.solution_limit is not None:
        sp.solution_limit = params.solution_limit
    sp.log_search = params.log
    sp.disable_scheduling_beware_this_may_degrade_performance = not params.schedule_lp
    return sp


def _iterated_local_search(sp: Any) -> None:
    """Ruin (SISR: slack induction by string removals) and recreate, SA acceptance.

    OR-Tools 9.15 rejects ILS parameters without a ruin strategy, so one is set here.
    """
    sp.use_iterated_local_search = True
    ruin = sp.iterated_local_search_parameters.ruin_recreate_parameters
    sisr = ruin.ruin_strategies.add().sisr
    sisr.max_removed_sequence_size = 10
    sisr.avg_num_removed_visits = 10
    sisr.bypass_factor = 0.01


@dataclass(slots=True)
class _Monitor:
    """Counts solutions and forwards progress; remembers the first objective."""

    routing: Any
    started: float
    report: Callable[[Progress], None] | None
    solutions: int = 0
    warm: bool = False
    read_s: float = 0.0
    first: int | None = None
    best: int | None = None
    history: list[tuple[float, int]] = field(default_factory=list)

    def __call__(self) -> None:
        objective = int(self.routing.CostVar().Max())
        self.solutions += 1
        if self.first is None:
            self.first = objective
        if self.best is None or objective < self.best:
            self.best = objective
            elapsed = time.perf_counter() - self.started
            self.history.append((elapsed, objective))
            if self.report is not None:
                self.report(Progress(objective, elapsed, self.solutions))


def _candidates(params: SolveParams) -> list[FirstSolution]:
    rest = [s for s in FALLBACK_FIRST_SOLUTIONS if s != params.first_solution]
    return [params.first_solution, *rest]


def _allowed(problem: Problem, params: SolveParams) -> list[list[int]]:
    big = params.prune_vehicles and len(problem.jobs) >= params.prune_min_size
    return allowed_vehicles(problem, nearest=params.prune_nearest if big else None)


def relaxed(problem: Problem) -> Problem:
    """The problem without breaks, each shift shortened by its breaks' total duration.

    Breaks make every local-search move costlier to check (``docs/solver.md``); routes
    planned without them, in a day shortened by as much, are a good warm start for the
    real model, which then places the breaks.
    """
    vehicles = tuple(
        replace(
            v,
            breaks=(),
            shift_end=max(v.shift_start, v.shift_end - sum(b.duration for b in v.breaks)),
        )
        for v in problem.vehicles
    )
    return replace(problem, vehicles=vehicles)


def _warm_start(
    model: routing_model.Model, initial: Solution, sp: Any, born: float, cap: float
) -> Any:
    """An assignment following ``initial``'s routes, or None when the model rejects them.

    Reading routes runs a small search for the other variables (cumuls, breaks) under the
    closing parameters' time limit, which would otherwise take the whole budget; it is
    capped at ``cap`` seconds past now. That limit counts from the model's creation
    (``born``), so the time spent building the model is added to it. With the LP
    scheduler on, the read uses all of its cap (it keeps improving the schedule).
    """
    positions = model.problem.job_positions()
    by_vehicle = {r.vehicle_id: r.job_ids for r in initial.routes}
    routes = [
        [
            model.manager.NodeToIndex(positions[j])
            for j in by_vehicle.get(v.id, ())
            if j in positions
        ]
        for v in model.problem.vehicles
    ]
    closing = type(sp)()
    closing.CopyFrom(sp)
    closing.time_limit.FromMilliseconds(int((time.perf_counter() - born + cap) * 1000))
    model.routing.CloseModelWithParameters(closing)
    return model.routing.ReadAssignmentFromRoutes(routes, True)


def _attempt(
    problem: Problem,
    params: SolveParams,
    allowed: list[list[int]],
    strategy: FirstSolution,
    deadline: float,
    initial: Solution | None,
) -> tuple[routing_model.Model, Any, _Monitor, float]:
    """One search on a fresh model: from ``initial`` when it is feasible, else from scratch."""
    built_at = time.perf_counter()
    model = routing_model.build(problem, allowed)
    build_s = time.perf_counter() - built_at
    monitor = _Monitor(model.routing, built_at, params.on_progress)
    model.routing.AddAtSolutionCallback(monitor)
    sp = search_parameters(params, strategy, max(deadline - time.perf_counter(), MIN_ATTEMPT_S))
    read_at = time.perf_counter()
    cap = min(WARM_START_S, WARM_START_SHARE * params.time_limit_s)
    start = _warm_start(model, initial, sp, built_at, cap) if initial is not None else None
    monitor.read_s = time.perf_counter() - read_at
    left = max(deadline - time.perf_counter(), MIN_ATTEMPT_S)
    sp.time_limit.FromMilliseconds(int(left * 1000))
    monitor.warm = start is not None
    if start is not None:
        return model, model.routing.SolveFromAssignmentWithParameters(start, sp), monitor, build_s
    return model, model.routing.SolveWithParameters(sp), monitor, build_s


def _relax_first(problem: Problem, params: SolveParams) -> bool:
    has_breaks = any(v.breaks for v in problem.vehicles)
    return has_breaks and params.relax_share > 0 and len(problem.jobs) >= params.relax_min_size


def solve_ortools(problem: Problem, params: SolveParams) -> Solution:
    """Solve with OR-Tools alone, in this process; an all-unassigned plan at worst."""
    started = time.perf_counter()
    deadline = started + params.time_limit_s
    initial: Solution | None = None
    if _relax_first(problem, params):
        share = replace(params, time_limit_s=params.time_limit_s * params.relax_share)
        initial = with_breaks(problem, solve_ortools(relaxed(problem), share))
    pruned_at = time.perf_counter()
    allowed = _allowed(problem, params)
    prune_s = time.perf_counter() - pruned_at
    for attempt, strategy in enumerate(_candidates(params)):
        if attempt > 0 and deadline - time.perf_counter() < MIN_ATTEMPT_S:
            break
        model, assignment, monitor, build_s = _attempt(
            problem, params, allowed, strategy, deadline, initial if attempt == 0 else None
        )
        if assignment is None:
            continue
        stats = SolveStats(
            objective=int(assignment.ObjectiveValue()),
            wall_seconds=time.perf_counter() - started,
            engine="ortools",
            status="solved",
            first_solution_objective=monitor.first,
            details={
                "solutions": float(monitor.solutions),
                "attempt": float(attempt),
                "prune_s": prune_s,
                "build_s": build_s,
                "candidate_pairs": float(sum(len(a) for a in allowed)),
                "warm_started": float(monitor.warm),
                "warm_start_s": monitor.read_s,
            },
        )
        return extract(model, assignment, stats)
    return empty_solution(problem, time.perf_counter() - started)


def empty_solution(problem: Problem, seconds: float) -> Solution:
    """The plan of last resort: nobody moves, every job is unassigned."""
    penalty = sum(problem.drop_price(j) for j in problem.jobs)
    stats = SolveStats(objective=penalty, wall_seconds=seconds, engine="none", status="no_solution")
    return Solution(routes=(), unassigned=tuple(j.id for j in problem.jobs), stats=stats)
