"""``solve()``: OR-Tools in this process, raced against a second engine in another.

The second engine is HGS (PyVRP, ``solver.hgs``, optional) when it can express the problem
(plain VRPTW), otherwise OR-Tools again with a different first-solution strategy: on
field days the strategies' results differ widely from instance to instance
(``docs/solver.md``), so two of them on two cores beat one. Both get the same time
limit. Each plan is checked by ``validate``; the winner is the valid plan with the fewest
unassigned jobs, then the lowest objective as recomputed by ``solver.validate.objective``
(engines account for costs differently).

Two other paths: from ``decompose_size`` jobs the problem is solved in parts, the parts
spread over the workers (``solver.decompose``); with one worker on a problem HGS takes,
OR-Tools and HGS share the core one after the other (``_one_core``).
"""

from __future__ import annotations

import importlib
import time
from dataclasses import replace
from types import ModuleType
from typing import Literal

from solver.child import Child, start
from solver.decompose import homes, solve_in_parts
from solver.params import FirstSolution, SolveParams
from solver.problem import Problem
from solver.search import empty_solution, solve_ortools
from solver.solution import Solution
from solver.validate import hard, objective, validate

Engine = Literal["hgs", "ortools", "parts"]

#: The second engine stops this long before the time limit, to send its plan back.
SEND_S = 0.2
#: How long past the time limit to wait for the second engine before giving up on it.
GRACE_S = 0.3
#: Below this time limit a second process costs more than it brings (re-plans: 2 s).
MIN_RACE_S = 2.5
#: With one worker on a problem HGS takes, OR-Tools' share of the time (HGS gets the rest).
ONE_CORE_ORTOOLS_SHARE = 0.2


def _hgs_module() -> ModuleType | None:
    try:
        return importlib.import_module("solver.hgs")
    except ImportError:
        return None


def _second(
    engine: Engine, problem: Problem, params: SolveParams, ends_at: float
) -> Solution | None:
    """The second engine's plan (run in the child process), done by ``ends_at``.

    ``ends_at`` is wall-clock (``time.time()``): the child's own start-up (an interpreter
    and the imports, 1 s or more on a busy machine) comes out of its time, not on top.
    """
    params = replace(params, time_limit_s=max(0.1, ends_at - time.time()))
    if engine == "ortools":
        return solve_ortools(problem, params)
    if engine == "parts":
        return solve_in_parts(problem, params)
    module = _hgs_module()
    return module.solve_with_hgs(problem, params) if module is not None else None


def _hgs_takes(problem: Problem) -> bool:
    module = _hgs_module()
    if module is None:
        return False
    supports = getattr(module, "supports", None)
    return supports is None or bool(supports(problem))


def _second_engine(problem: Problem, params: SolveParams) -> tuple[Engine, SolveParams] | None:
    """Which engine races on the second core, with its parameters; None for no race.

    HGS when it takes the problem; otherwise, when the engineers have more than one
    home, the same problem solved in parts (``solver.decompose``, one part after the
    other in the child): on over-full days the parts plan far better than one model in
    the same time (``docs/solver.md``); else OR-Tools with another first solution. No
    race with one worker, with a solution limit (a deterministic run) or under
    ``MIN_RACE_S``. Below ``large_size`` jobs only: a second copy of a large model would
    double the memory.
    """
    if params.workers < 2 or params.solution_limit is not None:
        return None
    if params.time_limit_s < MIN_RACE_S:
        return None
    child = params.without_callback()
    if _hgs_takes(problem):
        return "hgs", child
    if len(problem.jobs) >= params.large_size:
        return None
    if homes(problem) > 1:
        return "parts", child
    ours = params.first_solution_for(problem)
    other: FirstSolution = "PARALLEL_CHEAPEST_INSERTION"
    if ours == "PARALLEL_CHEAPEST_INSERTION":
        other = "LOCAL_CHEAPEST_INSERTION"
    return "ortools", replace(child, first_solution=other)


def _start(problem: Problem, params: SolveParams) -> Child | None:
    chosen = _second_engine(problem, params)
    if chosen is None:
        return None
    engine, child_params = chosen
    ends_at = time.time() + params.time_limit_s - SEND_S
    return start(_second, engine, problem, child_params, ends_at)


def _rank(problem: Problem, solution: Solution) -> tuple[int, int, int]:
    invalid = 1 if hard(validate(problem, solution)) else 0
    return (invalid, len(solution.unassigned), objective(problem, solution))


def solve(problem: Problem, params: SolveParams) -> Solution:
    """The best plan found within ``params.time_limit_s``; always returns a plan.

    With ``solution_limit`` set the race is off, so the result is deterministic.
    """
    started = time.perf_counter()
    if len(problem.jobs) >= params.decompose_size:
        return _chosen(problem, [solve_in_parts(problem, params)], started, 1)
    if _shares_one_core(problem, params):
        plans = _one_core(problem, params)
        return _chosen(problem, plans, started, len(plans))
    second = _start(problem, params)
    candidates = [solve_ortools(problem, params)]
    if second is not None:
        other = second.result(started + params.time_limit_s + GRACE_S - time.perf_counter())
        if isinstance(other, Solution):
            candidates.append(other)
    return _chosen(problem, candidates, started, len(candidates))


def _shares_one_core(problem: Problem, params: SolveParams) -> bool:
    """One worker, a problem HGS takes, and a run that need not be deterministic."""
    return params.workers == 1 and params.solution_limit is None and _hgs_takes(problem)


def _one_core(problem: Problem, params: SolveParams) -> list[Solution]:
    """OR-Tools for a first share of the time (a plan for sure), then HGS for the rest.

    With one core there is no race; on the problems HGS takes it is far ahead of
    OR-Tools at the same budget (docs/benchmarks.md), so it gets most of the time.
    """
    deadline = time.perf_counter() + params.time_limit_s
    first = replace(params, time_limit_s=params.time_limit_s * ONE_CORE_ORTOOLS_SHARE)
    plans = [solve_ortools(problem, first)]
    module = _hgs_module()
    left = deadline - time.perf_counter()
    if module is not None and left > 0:
        other = module.solve_with_hgs(problem, replace(params, time_limit_s=left))
        if other is not None:
            plans.append(other)
    return plans


def _chosen(problem: Problem, candidates: list[Solution], started: float, raced: int) -> Solution:
    """The best valid candidate, or nobody moves when none is valid."""
    ranked = sorted(candidates, key=lambda s: _rank(problem, s))
    best = ranked[0]
    if _rank(problem, best)[0]:
        # No engine produced a valid plan (a modelling bug): nobody moves rather than
        # returning a plan that breaks a hard rule. The validator can say what went wrong.
        best = empty_solution(problem, time.perf_counter() - started)
    return _with_wall_time(best, time.perf_counter() - started, raced)


def _with_wall_time(solution: Solution, seconds: float, raced: int) -> Solution:
    details = {**solution.stats.details, "engines_raced": float(raced)}
    stats = replace(solution.stats, wall_seconds=seconds, details=details)
    return replace(solution, stats=stats)
