"""``solve()``: which strategies run, on which worker, in which order; the best plan wins.

``lineup`` decides, for a problem and the user's parameters, the *turns* of each worker
(``solver.strategy``): the first worker runs in this process, a second one in a spawned
process (``solver.child``). Each turn starts from the best plan made before it on its
worker. The choices, measured in ``docs/solver.md``:

* plain VRPTW that HGS (PyVRP) can express: OR-Tools here, HGS on the second worker (with
  one worker: OR-Tools for ``ONE_CORE_ORTOOLS_SHARE`` of the time, then HGS);
* field days (breaks, soft deadlines, overtime, nights): OR-Tools builds the first plan,
  then ruin and recreate improves it for the rest of the time. The second worker starts
  from the problem in parts (several homes) or OR-Tools with another first solution, then
  runs its own ruin and recreate with another seed. Under ``own_start_below_s`` (12 s: the
  3 s and 10 s solves; not a re-plan) both workers skip those first plans: ruin and
  recreate starts from nobody moving, so a short limit goes to its moves. Ruin and
  recreate splits its time into up to three independent attempts
  (``EngineTuning.ruin_attempts``) and keeps the best. When both workers run it, the
  second stops exploring ``EngineTuning.lead_seconds`` before its end and recombines its
  routes with the first worker's pool, which this process sends it then (*the lead*,
  ``solver.recombine``, ``_race``);
* from ``decompose_size`` jobs: the problem in parts, spread over the workers.

After a solve that used a second process, ``solver.child.prepare`` readies a spare one
with the solver imported, so the next race's second worker starts at once (a fresh
interpreter spends about 0.45 s importing).

Every plan is ranked by ``solver.ranking.rank`` (valid, then the recomputed objective,
then fewer drops). With ``solution_limit`` there is one worker and every turn is bounded by
a count, so the same seed gives the same plan while the time limit is not reached.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from solver.child import Child, from_caller, prepare, start
from solver.decompose import homes, solve_in_parts
from solver.params import FirstSolution, SolveParams
from solver.problem import Problem
from solver.ranking import rank
from solver.recombine import Inbox, Outbox
from solver.search import empty_solution
from solver.solution import Solution
from solver.strategy import (
    Hgs,
    NobodyMoves,
    OrTools,
    Parts,
    RuinAndRecreate,
    Turn,
    Turns,
    hgs_module,
    take_turns,
)

__all__ = ["Lineup", "lineup", "ready_spare", "solve", "take_turns"]


@dataclass(frozen=True, slots=True)
class Lineup:
    """The turns of this process and, when there is a race, of the second worker."""

    here: Turns
    second: Turns = ()


def hgs_takes(problem: Problem) -> bool:
    module = hgs_module()
    if module is None:
        return False
    supports = getattr(module, "supports", None)
    return supports is None or bool(supports(problem))


def _other_first_solution(problem: Problem, params: SolveParams) -> FirstSolution:
    ours = params.first_solution_for(problem)
    return "LOCAL_CHEAPEST_INSERTION" if ours == "PARALLEL_CHEAPEST_INSERTION" else ours


def _starts(problem: Problem, params: SolveParams) -> tuple[Turn, Turn]:
    """The first plans of the two workers, the better one first (``docs/solver.md``).

    The day in parts by office, when the engineers have several homes and this is not a
    re-plan (the parts ignore pins' and change prices' reach across offices); else
    OR-Tools with our first solution, and OR-Tools with another one. Under a short limit
    (not a re-plan, not counted), nobody moving: ruin and recreate's own first move.
    """
    tune, limit = params.tuning.engine, params.time_limit_s
    ortools: Turn = (OrTools(), min(tune.ortools_share, tune.ortools_max_s / limit))
    replan = bool(problem.previous_routes) or any(v.first_job for v in problem.vehicles)
    if limit < tune.own_start_below_s and params.solution_limit is None and not replan:
        return (NobodyMoves(), 0.0), (NobodyMoves(), 0.0)
    if homes(problem) > 1 and not replan:
        return (Parts(), min(tune.parts_share, tune.parts_max_s / limit)), ortools
    other = OrTools(_other_first_solution(problem, params))
    return ortools, (other, ortools[1])


def _field_lineup(problem: Problem, params: SolveParams) -> Lineup:
    """A first plan by OR-Tools, then ruin and recreate; the second worker starts elsewhere."""
    first, other = _starts(problem, params)
    here: Turns = (first, (RuinAndRecreate(), 1.0))
    if params.workers < 2 or params.solution_limit is not None:
        return Lineup(here)
    if params.time_limit_s < params.tuning.engine.min_race_s:
        return Lineup(here)
    return Lineup(here, (other, (RuinAndRecreate(seed_offset=1), 1.0)))


def lineup(problem: Problem, params: SolveParams) -> Lineup:
    """Who runs what (module docstring); the problem in parts is ``solve``'s own branch."""
    tune = params.tuning.engine
    if hgs_takes(problem):
        if params.solution_limit is not None:
            return Lineup(((OrTools(), 1.0),))
        if params.workers == 1:
            return Lineup(((OrTools(), tune.one_core_ortools_share), (Hgs(), 1.0)))
        if params.time_limit_s >= tune.min_race_s:
            return Lineup(((OrTools(), 1.0),), ((Hgs(), 1.0),))
        return Lineup(((OrTools(), 1.0),))
    if len(problem.jobs) >= params.search.large_size:
        return Lineup(((OrTools(), 1.0),))
    return _field_lineup(problem, params)


def solve(problem: Problem, params: SolveParams) -> Solution:
    """The best plan found within ``params.time_limit_s``; always returns a plan.

    With ``solution_limit`` set the result is deterministic for a seed (no race; every
    turn bounded by a count) as long as the time limit is not what stops it.
    """
    started = time.perf_counter()
    ends_at = time.time() + params.time_limit_s
    if len(problem.jobs) >= params.search.decompose_size:
        in_parts = solve_in_parts(problem, params)
        if params.workers > 1 and params.solution_limit is None:
            ready_spare()
        return _chosen(problem, [in_parts], started)
    plan = lineup(problem, params)
    tune = params.tuning.engine
    child = None
    here = plan.here
    if plan.second:
        child, here = _race(problem, params, plan, ends_at)
    candidates = take_turns(problem, params, here, ends_at)
    if child is not None:
        received = child.result(ends_at + tune.grace_s - time.time())
        if isinstance(received, list):
            candidates += [p for p in received if isinstance(p, Solution)]
        ready_spare()
    return _chosen(problem, candidates, started)


def _race(
    problem: Problem, params: SolveParams, plan: Lineup, ends_at: float
) -> tuple[Child, Turns]:
    """The second worker started, and this worker's turns: with the lead when both recombine.

    The lead (``solver.recombine``): the second worker's ruin and recreate stops exploring
    ``EngineTuning.lead_seconds`` before its end and recombines both workers' routes; this
    worker posts its pool to the child at that time.
    """
    tune = params.tuning.engine
    child_ends = ends_at - tune.send_s
    at = child_ends - tune.lead_seconds(params.time_limit_s)
    lead = tune.lead and params.tuning.ruin.recombine and _ruins(plan.here) and _ruins(plan.second)
    inbox = Inbox(from_caller, at, tune.lead_wait_s)
    second = _with_lead(plan.second, inbox) if lead else plan.second
    child = start(take_turns, problem, params.without_callback(), second, child_ends)
    here = _with_lead(plan.here, Outbox(child.send, at)) if lead else plan.here
    return child, here


def _ruins(turns: Turns) -> bool:
    return any(isinstance(strategy, RuinAndRecreate) for strategy, _ in turns)


def _with_lead(turns: Turns, lead: Outbox | Inbox) -> Turns:
    """``turns`` with their ruin and recreate paired with the other worker's by ``lead``."""
    return tuple(
        (replace(s, lead=lead) if isinstance(s, RuinAndRecreate) else s, share)
        for s, share in turns
    )


def ready_spare() -> None:
    """Start a spare second worker, the solver imported, unless one is there.

    ``solve`` calls it after each solve that used a second process; a server may call it
    once at start-up so that its first race is as quick as the others.
    """
    prepare(take_turns.__module__)


def _chosen(problem: Problem, candidates: list[Solution], started: float) -> Solution:
    """The best valid candidate, or nobody moves when none is valid."""
    seconds = time.perf_counter() - started
    if not candidates:
        return _with_wall_time(empty_solution(problem, seconds), seconds, 0)
    ranked, best = min(((rank(problem, s), s) for s in candidates), key=lambda r: r[0])
    if ranked[0]:
        # No engine produced a valid plan (a modelling bug): nobody moves rather than
        # returning a plan that breaks a hard rule. The validator can say what went wrong.
        best = empty_solution(problem, seconds)
    return _with_wall_time(best, seconds, len(candidates))


def _with_wall_time(solution: Solution, seconds: float, raced: int) -> Solution:
    details = {**solution.stats.details, "candidate_plans": float(raced)}
    stats = replace(solution.stats, wall_seconds=seconds, details=details)
    return replace(solution, stats=stats)
