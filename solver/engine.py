"""``solve()``: OR-Tools in this process, raced against other engines in another.

The second process takes *turns*: one engine or a few one after the other, each until
its share of the time, a later OR-Tools turn starting from the plan before it.

* HGS (PyVRP, ``solver.hgs``) when it can express the problem (plain VRPTW);
* on a field day whose engineers have several homes, the problem solved in parts
  (``solver.decompose``), then one model starting from the parts' plan: on over-full days
  this plans far better than one model from scratch, on the others the race keeps the
  one-model plan (``docs/solver.md``);
* otherwise OR-Tools again with a different first-solution strategy.

Every plan is checked by ``validate``; the winner is the valid plan with the lowest
objective as recomputed by ``solver.validate.objective`` (engines account for costs
differently), then the fewest unassigned jobs.

With one worker the turns run in this process instead, after OR-Tools' own turn (first
where the turns are HGS's, as it always returns a plan; the first half on field days).
From ``decompose_size`` jobs the problem is solved in parts, spread over the workers.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import replace
from types import ModuleType
from typing import Literal

from solver.child import start
from solver.decompose import homes, solve_in_parts
from solver.params import FirstSolution, SolveParams
from solver.problem import Problem
from solver.search import empty_solution, solve_ortools
from solver.solution import Solution
from solver.validate import hard, objective, validate

Engine = Literal["hgs", "ortools", "parts"]
Turns = tuple[tuple[Engine, float], ...]
"""Engines in the order they run, each with the share of the time at which it must end."""

#: The second process stops this long before the time limit, to send its plans back.
SEND_S = 0.2
#: How long past the time limit to wait for the second process before giving up on it.
GRACE_S = 0.3
#: Below this time limit a second process costs more than it brings (re-plans: 1 s).
MIN_RACE_S = 2.5
#: With one worker on a problem HGS takes, OR-Tools' share of the time (HGS gets the rest).
ONE_CORE_ORTOOLS_SHARE = 0.2
#: On a field day with several homes, the parts' share of the turns (one model: the rest).
PARTS_SHARE = 0.25
#: With one worker on such a day, the share of one model from scratch, before those turns.
ONE_CORE_FRESH_SHARE = 0.5


def _hgs_module() -> ModuleType | None:
    try:
        return importlib.import_module("solver.hgs")
    except ImportError:
        return None


def _hgs_takes(problem: Problem) -> bool:
    module = _hgs_module()
    if module is None:
        return False
    supports = getattr(module, "supports", None)
    return supports is None or bool(supports(problem))


def _run(
    engine: Engine, problem: Problem, params: SolveParams, ends_at: float, start: Solution | None
) -> Solution | None:
    """One engine's plan, done by ``ends_at`` (wall clock, ``time.time()``).

    A wall-clock end lets a child process's start-up (an interpreter and the imports,
    1 s or more on a busy machine) come out of its time, not on top. OR-Tools starts its
    search from ``start`` when given.
    """
    params = replace(params, time_limit_s=max(0.1, ends_at - time.time()))
    if engine == "ortools":
        return solve_ortools(problem, params, start)
    if engine == "parts":
        return solve_in_parts(problem, params)
    module = _hgs_module()
    return module.solve_with_hgs(problem, params) if module is not None else None


def take_turns(
    problem: Problem, params: SolveParams, turns: Turns, ends_at: float
) -> list[Solution]:
    """Every plan the turns make, each engine ending at its share of the time to ``ends_at``."""
    began = time.time()
    span = max(0.0, ends_at - began)
    plans: list[Solution] = []
    for engine, share in turns:
        plan = _run(engine, problem, params, began + share * span, plans[-1] if plans else None)
        if plan is not None:
            plans.append(plan)
    return plans


def _field_turns(problem: Problem) -> Turns:
    """The parts then one model from their plan, when there are several homes."""
    if homes(problem) > 1:
        return (("parts", PARTS_SHARE), ("ortools", 1.0))
    return ()


def second_turns(problem: Problem, params: SolveParams) -> tuple[Turns, SolveParams] | None:
    """What the second process runs, with its parameters; None for no race.

    No race with one worker, with a solution limit (a deterministic run) or under
    ``MIN_RACE_S``; nor from ``large_size`` jobs except for HGS: a second copy of a large
    OR-Tools model would double the memory.
    """
    if params.workers < 2 or params.solution_limit is not None:
        return None
    if params.time_limit_s < MIN_RACE_S:
        return None
    child = params.without_callback()
    if _hgs_takes(problem):
        return (("hgs", 1.0),), child
    if len(problem.jobs) >= params.large_size:
        return None
    field = _field_turns(problem)
    if field:
        return field, child
    ours = params.first_solution_for(problem)
    other: FirstSolution = "PARALLEL_CHEAPEST_INSERTION"
    if ours == "PARALLEL_CHEAPEST_INSERTION":
        other = "LOCAL_CHEAPEST_INSERTION"
    return (("ortools", 1.0),), replace(child, first_solution=other)


def one_core_turns(problem: Problem, params: SolveParams) -> Turns:
    """With one worker, the turns that replace the race; ``()`` for OR-Tools alone.

    OR-Tools first where the race would run HGS (HGS may find no plan), then HGS for most
    of the time (far ahead on plain VRPTW, docs/benchmarks.md). On a field day with
    several homes, one model from scratch for the first half (what the race's first
    process does), then the field turns of the race. Nothing for a deterministic run, or
    below ``MIN_RACE_S`` on field days.
    """
    if params.workers != 1 or params.solution_limit is not None:
        return ()
    if _hgs_takes(problem):
        return (("ortools", ONE_CORE_ORTOOLS_SHARE), ("hgs", 1.0))
    if params.time_limit_s < MIN_RACE_S or len(problem.jobs) >= params.large_size:
        return ()
    if not _field_turns(problem):
        return ()
    fresh = ONE_CORE_FRESH_SHARE
    return (("ortools", fresh), ("parts", fresh + (1 - fresh) * PARTS_SHARE), ("ortools", 1.0))


def _rank(problem: Problem, solution: Solution) -> tuple[int, int, int]:
    invalid = 1 if hard(validate(problem, solution)) else 0
    return (invalid, objective(problem, solution), len(solution.unassigned))


def solve(problem: Problem, params: SolveParams) -> Solution:
    """The best plan found within ``params.time_limit_s``; always returns a plan.

    With ``solution_limit`` set there is no race and no turns: the result is deterministic.
    """
    started = time.perf_counter()
    ends_at = time.time() + params.time_limit_s
    if len(problem.jobs) >= params.decompose_size:
        return _chosen(problem, [solve_in_parts(problem, params)], started)
    turns = one_core_turns(problem, params)
    if turns:
        return _chosen(problem, take_turns(problem, params, turns, ends_at), started)
    race = second_turns(problem, params)
    child = None
    if race is not None:
        child = start(take_turns, problem, race[1], race[0], ends_at - SEND_S)
    candidates = [solve_ortools(problem, params)]
    if child is not None:
        received = child.result(ends_at + GRACE_S - time.time())
        if isinstance(received, list):
            candidates += [plan for plan in received if isinstance(plan, Solution)]
    return _chosen(problem, candidates, started)


def _chosen(problem: Problem, candidates: list[Solution], started: float) -> Solution:
    """The best valid candidate, or nobody moves when none is valid."""
    seconds = time.perf_counter() - started
    if not candidates:
        return _with_wall_time(empty_solution(problem, seconds), seconds, 0)
    rank, best = min(((_rank(problem, s), s) for s in candidates), key=lambda ranked: ranked[0])
    if rank[0]:
        # No engine produced a valid plan (a modelling bug): nobody moves rather than
        # returning a plan that breaks a hard rule. The validator can say what went wrong.
        best = empty_solution(problem, seconds)
    return _with_wall_time(best, seconds, len(candidates))


def _with_wall_time(solution: Solution, seconds: float, raced: int) -> Solution:
    details = {**solution.stats.details, "candidate_plans": float(raced)}
    stats = replace(solution.stats, wall_seconds=seconds, details=details)
    return replace(solution, stats=stats)
