"""Search strategies behind one protocol, their turns, and the one ranking of plans.

A *strategy* makes a plan of a ``Problem`` by a wall-clock time, optionally starting from a
plan: OR-Tools (``solver.search``), the problem in parts (``solver.decompose``), HGS
(``solver.hgs``) and ruin and recreate (``solver.ruin``). ``solver.engine`` assembles them
into *turns* (strategies one after the other, each until its share of the time, each
starting from the best plan so far), one sequence per worker, as PyVRP's ``solve``
assembles given parts. Every plan, of every engine, is compared by ``solver.ranking.rank``.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Protocol

from solver.decompose import solve_in_parts
from solver.params import FirstSolution, SolveParams
from solver.problem import Problem
from solver.ranking import best_of
from solver.recombine import Inbox, Outbox
from solver.ruin import RuinRecreate
from solver.search import allowed_for, empty_solution, solve_ortools
from solver.solution import Solution


class Strategy(Protocol):
    """Makes a plan by ``ends_at`` (``time.time()``), from ``start`` when it can."""

    @property
    def name(self) -> str: ...

    def __call__(
        self, problem: Problem, params: SolveParams, start: Solution | None, ends_at: float
    ) -> Solution | None: ...


def _budget(params: SolveParams, ends_at: float) -> SolveParams:
    return replace(params, time_limit_s=max(0.1, ends_at - time.time()))


@dataclass(frozen=True, slots=True)
class OrTools:
    """The OR-Tools routing model (``solve_ortools``), from ``start`` when given."""

    first_solution: FirstSolution | None = None
    name: str = "ortools"

    def __call__(
        self, problem: Problem, params: SolveParams, start: Solution | None, ends_at: float
    ) -> Solution | None:
        budget = _budget(params, ends_at)
        if self.first_solution is not None:
            budget = budget.tuned(first_solution=self.first_solution)
        return solve_ortools(problem, budget, start)


@dataclass(frozen=True, slots=True)
class Parts:
    """The problem in parts by home office (``solver.decompose``); ignores ``start``."""

    name: str = "parts"

    def __call__(
        self, problem: Problem, params: SolveParams, start: Solution | None, ends_at: float
    ) -> Solution | None:
        return solve_in_parts(problem, _budget(params, ends_at))


@dataclass(frozen=True, slots=True)
class NobodyMoves:
    """The plan with every job left out: a start for ruin and recreate, made at once."""

    name: str = "nobody-moves"

    def __call__(
        self, problem: Problem, params: SolveParams, start: Solution | None, ends_at: float
    ) -> Solution | None:
        return empty_solution(problem, 0.0)


def hgs_module() -> ModuleType | None:
    """``solver.hgs`` when PyVRP is installed."""
    try:
        return importlib.import_module("solver.hgs")
    except ImportError:
        return None


@dataclass(frozen=True, slots=True)
class Hgs:
    """PyVRP's hybrid genetic search, for problems it can express (plain VRPTW)."""

    name: str = "hgs"

    def __call__(
        self, problem: Problem, params: SolveParams, start: Solution | None, ends_at: float
    ) -> Solution | None:
        module = hgs_module()
        plan = module.solve_with_hgs(problem, _budget(params, ends_at)) if module else None
        return plan if isinstance(plan, Solution) else None


@dataclass(frozen=True, slots=True)
class RuinAndRecreate:
    """Ruin and recreate (``solver.ruin``) from ``start``; nothing to do without one.

    With ``params.solution_limit`` the search makes ``moves_per_solution`` moves per
    solution of the limit, so a seed (with the same time limit, which sets the number of
    attempts) gives the same plan unless ``ends_at`` comes first; otherwise it runs until
    ``ends_at``. The time (or the moves) goes to ``EngineTuning.ruin_attempts``
    independent runs, by the user's time limit. ``lead`` pairs its route pool with the
    other worker's (``RuinRecreate.run_attempts``).
    """

    seed_offset: int = 0
    lead: Outbox | Inbox | None = None
    name: str = "ruin-recreate"

    def __call__(
        self, problem: Problem, params: SolveParams, start: Solution | None, ends_at: float
    ) -> Solution | None:
        if start is None:
            return None
        tune = params.tuning.ruin
        seed = params.seed + self.seed_offset
        search = RuinRecreate(problem, allowed_for(problem, params), seed, tune)
        per = tune.moves_per_solution
        moves = None if params.solution_limit is None else per * params.solution_limit
        attempts = params.tuning.engine.ruin_attempts(params.time_limit_s)
        seconds = max(0.0, ends_at - time.time())
        return search.run_attempts(start, seconds, moves, attempts, self.lead)


Turn = tuple[Strategy, float]
"""A strategy and the share of the time at which it must end."""
Turns = tuple[Turn, ...]
"""Strategies in the order they run."""


def take_turns(
    problem: Problem, params: SolveParams, turns: Turns, ends_at: float
) -> list[Solution]:
    """Every plan the turns make; each turn starts from the best plan made before it."""
    began = time.time()
    span = max(0.0, ends_at - began)
    plans: list[Solution] = []
    for strategy, share in turns:
        plan = strategy(problem, params, best_of(problem, plans), began + share * span)
        if plan is not None:
            plans.append(plan)
    return plans
