"""OR-Tools search: parameters from ``SolveParams``, progress reporting, the solve loop.

A plan must always come back: the chosen first-solution strategy is tried first and, if
it finds nothing, the others of ``FALLBACK_FIRST_SOLUTIONS`` in turn, each on a fresh
model, within what is left of the time limit. Problems with breaks from
``relax_min_size`` jobs are first planned without breaks and warm-started from that plan;
large ones also get a greedy plan, the only plan from ``greedy_only_size`` jobs. Every
candidate plan is kept and the best is returned (``docs/solver/search.md`` has the measurements).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util import optional_boolean_pb2

from solver import model as routing_model
from solver.extract import extract
from solver.greedy import greedy_plan
from solver.params import FALLBACK_FIRST_SOLUTIONS, FirstSolution, Progress, SolveParams
from solver.problem import Problem
from solver.prune import allowed_vehicles
from solver.ranking import best_of
from solver.repair import with_breaks
from solver.solution import Solution, SolveStats
from solver.validate import objective


def search_parameters(
    params: SolveParams, strategy: FirstSolution, seconds: float, n_jobs: int = 0
) -> Any:
    """The routing search parameters for one attempt on a problem of ``n_jobs`` jobs."""
    sp = pywrapcp.DefaultRoutingSearchParameters()
    sp.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, strategy)
    meta = routing_enums_pb2.LocalSearchMetaheuristic
    if params.search.metaheuristic == "ILS":
        _iterated_local_search(sp)
        sp.local_search_metaheuristic = meta.GREEDY_DESCENT
    else:
        sp.local_search_metaheuristic = getattr(meta, params.search.metaheuristic)
    sp.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
    if params.solution_limit is not None:
        sp.solution_limit = params.solution_limit
    sp.log_search = params.log
    sp.disable_scheduling_beware_this_may_degrade_performance = not params.search.schedule_lp
    if n_jobs < params.search.make_active_max_size:
        _make_active_operators(sp)
    return sp


def _make_active_operators(sp: Any) -> None:
    """Moves that bring a dropped job back in by relocating or swapping another one.

    Plain make-active only inserts into free room; on full field days a drop is fixed
    only by moving something aside, which these do.
    """
    on = optional_boolean_pb2.BOOL_TRUE
    operators = sp.local_search_operators
    operators.use_relocate_and_make_active = on
    operators.use_exchange_and_make_active = on
    operators.use_extended_swap_active = on


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

    def __call__(self) -> None:
        cost = int(self.routing.CostVar().Max())
        self.solutions += 1
        if self.first is None:
            self.first = cost
        if self.best is None or cost < self.best:
            self.best = cost
            elapsed = time.perf_counter() - self.started
            if self.report is not None:
                self.report(Progress(cost, elapsed, self.solutions))


def _candidates(params: SolveParams, problem: Problem) -> list[FirstSolution]:
    first = params.first_solution_for(problem)
    return [first, *(s for s in FALLBACK_FIRST_SOLUTIONS if s != first)]


def allowed_for(problem: Problem, params: SolveParams) -> list[list[int]]:
    """Each job's candidate engineers: pruned to the nearest from ``prune_min_size`` jobs."""
    big = params.search.prune_vehicles and len(problem.jobs) >= params.search.prune_min_size
    return allowed_vehicles(problem, nearest=params.search.prune_nearest if big else None)


def relaxed(problem: Problem) -> Problem:
    """The problem without breaks, each shift shortened by its breaks' total duration.

    Breaks make every local-search move costlier to check (``docs/solver/search.md``); routes
    planned without them, in a day shortened by as much, are a good warm start for the
    real model, which then places the breaks.
    """
    vehicles = tuple(
        replace(
            v,
            breaks=(),
            shift_end=max(
                v.shift_start, v.shift_end - sum(b.length(b.earliest_start) for b in v.breaks)
            ),
        )
        for v in problem.vehicles
    )
    return replace(problem, vehicles=vehicles)


def _warm_start(
    model: routing_model.Model,
    initial: Solution,
    allowed: list[list[int]],
    sp: Any,
    born: float,
    cap: float,
) -> Any:
    """An assignment following ``initial``'s routes, or None when the model rejects them.

    Stops on a vehicle the pruning does not allow for the job are left out of the hint
    (they come back as unassigned): the break-free warm start is pruned on its own,
    shorter shifts, and one such stop would make OR-Tools reject the whole hint.

    Reading routes runs a small search for the other variables (cumuls, breaks) under the
    closing parameters' time limit, which would otherwise take the whole budget; it is
    capped at ``cap`` seconds past now. That limit counts from the model's creation
    (``born``), so the time spent building the model is added to it. With the LP
    scheduler on, the read uses all of its cap (it keeps improving the schedule).
    """
    positions = model.problem.job_positions()
    by_vehicle = {r.vehicle_id: r.job_ids for r in initial.routes}
    allowed_sets = [set(vehicles) for vehicles in allowed]
    routes = [
        [
            model.manager.NodeToIndex(positions[j])
            for j in by_vehicle.get(v.id, ())
            if j in positions and index in allowed_sets[positions[j]]
        ]
        for index, v in enumerate(model.problem.vehicles)
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
    """One search on a fresh model: from ``initial`` when given, else from scratch.

    When the model rejects ``initial`` there is no search at all: the caller keeps it.
    """
    built_at = time.perf_counter()
    model = routing_model.build(problem, allowed)
    build_s = time.perf_counter() - built_at
    monitor = _Monitor(model.routing, built_at, params.on_progress)
    model.routing.AddAtSolutionCallback(monitor)
    left = max(deadline - time.perf_counter(), params.search.min_attempt_s)
    sp = search_parameters(params, strategy, left, len(problem.jobs))
    read_at = time.perf_counter()
    cap = min(params.search.warm_start_s, params.search.warm_start_share * params.time_limit_s)
    start = _warm_start(model, initial, allowed, sp, built_at, cap) if initial is not None else None
    monitor.read_s = time.perf_counter() - read_at
    left = max(deadline - time.perf_counter(), params.search.min_attempt_s)
    sp.time_limit.FromMilliseconds(int(left * 1000))
    monitor.warm = start is not None
    if initial is not None and start is None:
        return model, None, monitor, build_s
    if start is not None:
        return model, model.routing.SolveFromAssignmentWithParameters(start, sp), monitor, build_s
    return model, model.routing.SolveWithParameters(sp), monitor, build_s


def _relax_first(problem: Problem, params: SolveParams) -> bool:
    """Whether to warm-start from a break-free plan (measured in docs/solver/search.md).

    Not in a deterministic run (``solution_limit``): reading the warm start is bounded by
    time, not by a count.
    """
    if params.search.relax_share <= 0 or params.solution_limit is not None:
        return False
    if not any(v.breaks for v in problem.vehicles):
        return False
    return len(problem.jobs) >= params.search.relax_min_size


def _relax_params(problem: Problem, params: SolveParams) -> SolveParams:
    """The relaxed phase's time: most of it on large problems.

    There the real model's search with breaks hardly moves.
    """
    large = len(problem.jobs) >= params.search.large_size
    share = params.search.relax_share_large if large else params.search.relax_share
    return replace(params, time_limit_s=params.time_limit_s * share)


def solve_ortools(problem: Problem, params: SolveParams, start: Solution | None = None) -> Solution:
    """Solve with OR-Tools alone, in this process; an all-unassigned plan at worst.

    Large problems first get a greedy plan (seconds), kept if OR-Tools does no better;
    from ``greedy_only_size`` jobs it is the plan. With ``start`` (a valid plan of this
    problem) the search starts from it instead of the break-free warm start, and
    returns it if it finds nothing better.
    """
    started = time.perf_counter()
    deadline = started + params.time_limit_s
    allowed = allowed_for(problem, params)
    prune_s = time.perf_counter() - started
    plans: list[Solution] = []
    if len(problem.jobs) >= params.search.large_size:
        plans.append(greedy_plan(problem, allowed))
    if len(problem.jobs) >= params.search.greedy_only_size:
        return _best(problem, plans, time.perf_counter() - started)
    initial: Solution | None = start
    if start is not None:
        plans.append(start)
    elif _relax_first(problem, params):
        rest = max(params.search.min_attempt_s, deadline - time.perf_counter())
        left = replace(params, time_limit_s=rest)
        initial = with_breaks(
            problem, solve_ortools(relaxed(problem), _relax_params(problem, left))
        )
        plans.append(initial)
    for attempt, strategy in enumerate(_candidates(params, problem)):
        if attempt > 0 and deadline - time.perf_counter() < params.search.min_attempt_s:
            break
        model, assignment, monitor, build_s = _attempt(
            problem, params, allowed, strategy, deadline, initial if attempt == 0 else None
        )
        if assignment is not None:
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
            plans.append(extract(model, assignment, stats))
        if assignment is not None or initial is not None:
            break
    return _best(problem, plans, time.perf_counter() - started)


def _best(problem: Problem, plans: list[Solution], seconds: float) -> Solution:
    """The plan ``solver.ranking.rank`` puts first; the plan of last resort for none."""
    best = best_of(problem, plans)
    if best is None:
        return empty_solution(problem, seconds)
    if best.stats.engine == "ortools":
        return best
    cost = objective(problem, best)
    return replace(best, stats=replace(best.stats, objective=cost, wall_seconds=seconds))


def empty_solution(problem: Problem, seconds: float) -> Solution:
    """The plan of last resort: nobody moves, every job is unassigned."""
    penalty = sum(problem.drop_price(j) for j in problem.jobs)
    stats = SolveStats(objective=penalty, wall_seconds=seconds, engine="none", status="no_solution")
    return Solution(routes=(), unassigned=tuple(j.id for j in problem.jobs), stats=stats)
