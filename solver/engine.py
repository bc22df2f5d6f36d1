"""``solve()``: OR-Tools in this process, raced against HGS (PyVRP) in a second one.

Both engines get the same time limit. The HGS engine (``solver.hgs``, optional) declines
problems it cannot express by returning ``None``. Each plan is checked by ``validate``;
the winner is the valid plan with the fewest unassigned jobs, then the lowest objective
as recomputed by ``solver.validate.objective`` (engines account for costs differently).
"""

from __future__ import annotations

import importlib
import multiprocessing
import time
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from types import ModuleType
from typing import Any

from solver.params import SolveParams
from solver.problem import Problem
from solver.search import empty_solution, solve_ortools
from solver.solution import Solution
from solver.validate import hard, objective, validate

#: Spawning the HGS process and importing PyVRP takes about this long; HGS gets the rest.
HGS_STARTUP_S = 0.8
#: How long past the time limit to wait for HGS before giving up on it.
HGS_GRACE_S = 1.5


def _hgs_module() -> ModuleType | None:
    try:
        return importlib.import_module("solver.hgs")
    except ImportError:
        return None


def _hgs_worker(conn: Connection, problem: Problem, params: SolveParams) -> None:
    """Child process body: run HGS and send back its plan (or None)."""
    module = _hgs_module()
    result: Solution | None = None
    if module is not None:
        result = module.solve_with_hgs(problem, params)
    conn.send(result)
    conn.close()


@dataclass(slots=True)
class _HgsRun:
    process: Any
    conn: Connection

    def result(self, deadline: float) -> Solution | None:
        """The HGS plan if it arrives by ``deadline``; the process is ended either way."""
        solution: Solution | None = None
        try:
            if self.conn.poll(max(0.0, deadline - time.perf_counter())):
                received = self.conn.recv()
                solution = received if isinstance(received, Solution) else None
        except (EOFError, OSError):
            solution = None
        finally:
            self.conn.close()
            if self.process.is_alive():
                self.process.terminate()
            self.process.join(timeout=1.0)
        return solution


def _start_hgs(problem: Problem, params: SolveParams) -> _HgsRun | None:
    if params.workers < 2 or params.solution_limit is not None:
        return None
    module = _hgs_module()
    if module is None:
        return None
    supports = getattr(module, "supports", None)
    if supports is not None and not supports(problem):
        return None
    budget = max(0.1, params.time_limit_s - HGS_STARTUP_S)
    child_params = replace(params.without_callback(), time_limit_s=budget)
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_hgs_worker, args=(send, problem, child_params), daemon=True)
    process.start()
    send.close()
    return _HgsRun(process, receive)


def _rank(problem: Problem, solution: Solution) -> tuple[int, int, int]:
    invalid = 1 if hard(validate(problem, solution)) else 0
    return (invalid, len(solution.unassigned), objective(problem, solution))


def solve(problem: Problem, params: SolveParams) -> Solution:
    """The best plan found within ``params.time_limit_s``; always returns a plan.

    With ``solution_limit`` set the race is off (HGS stops on time, not on a count), so
    the result is deterministic.
    """
    started = time.perf_counter()
    hgs_run = _start_hgs(problem, params)
    candidates = [solve_ortools(problem, params)]
    if hgs_run is not None:
        other = hgs_run.result(started + params.time_limit_s + HGS_GRACE_S)
        if other is not None:
            candidates.append(other)
    raced = len(candidates)
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
