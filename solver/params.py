"""What the caller of ``solve()`` controls: time budget, seed, determinism, workers, progress.

The solver's internal thresholds (problem sizes where the approach changes, time shares
between strategies, search constants) are not user controls: they live in
``solver.tuning`` and reach the solver through ``SolveParams.tuning``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from solver.problem import Problem
from solver.solution import Solution
from solver.tuning import TUNING, FirstSolution, Metaheuristic, SearchTuning, Tuning

__all__ = [
    "FALLBACK_FIRST_SOLUTIONS",
    "FirstSolution",
    "Metaheuristic",
    "PartReport",
    "PartsSolver",
    "Progress",
    "SolveParams",
]

#: Tried in this order until one yields a first solution; the chosen one goes first.
FALLBACK_FIRST_SOLUTIONS: tuple[FirstSolution, ...] = (
    "PARALLEL_CHEAPEST_INSERTION",
    "LOCAL_CHEAPEST_INSERTION",
    "SAVINGS",
    "PATH_CHEAPEST_ARC",
)


@dataclass(frozen=True, slots=True)
class Progress:
    """A report from the running search: the best objective so far and how it got there."""

    objective: int
    elapsed_s: float
    solutions: int
    engine: str = "ortools"


PartReport = Callable[[Problem, Solution], None]
"""Hears of each part's plan of a day solved in parts, as it is done."""
PartsSolver = Callable[
    [Sequence[Problem], "SolveParams", float, PartReport | None], list[Solution | None]
]
"""Solves the parts of a day (``solver.decompose``): (parts, params, wall-clock deadline,
report) to each part's plan, ``None`` for a part it could not solve."""


@dataclass(frozen=True, slots=True)
class SolveParams:
    """The caller's controls of one solve.

    ``time_limit_s`` bounds the wall time. ``seed`` seeds every engine that draws random
    numbers (ruin and recreate, HGS; OR-Tools' search draws none). ``workers`` is the
    number of processes (1 = everything in this process, as the API's solve jobs run).
    With ``solution_limit`` set the solve is deterministic: one worker, OR-Tools stops at
    that many solutions and ruin and recreate after a number of moves proportional to it,
    so the same problem, seed and limit give the same routes as long as the time limit is
    not what stops them (``docs/solver.md``). Without it, plans depend on the machine's
    speed. ``on_progress`` receives OR-Tools' improving objectives. ``parts`` solves the
    parts of a day solved in parts somewhere else (a queue's workers); by default they
    are solved here and in ``workers`` processes.
    """

    time_limit_s: float
    seed: int = 0
    solution_limit: int | None = None
    workers: int = 2
    log: bool = False
    on_progress: Callable[[Progress], None] | None = None
    tuning: Tuning = field(default=TUNING)
    parts: PartsSolver | None = None

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            raise ValueError("time_limit_s must be positive")
        if self.solution_limit is not None and self.solution_limit < 1:
            raise ValueError("solution_limit must be at least 1")
        if self.workers < 1:
            raise ValueError("workers must be at least 1")

    @property
    def search(self) -> SearchTuning:
        """The OR-Tools search and size thresholds of ``tuning``."""
        return self.tuning.search

    def first_solution_for(self, problem: Problem) -> FirstSolution:
        """The first-solution strategy for ``problem`` (measured in docs/solver/search.md).

        Path cheapest arc for large problems (cheap to build) and for plain hard-window
        problems (Solomon-like), parallel cheapest insertion for field days.
        """
        if self.search.first_solution is not None:
            return self.search.first_solution
        plain = all(j.hard_due for j in problem.jobs) and not any(
            v.breaks for v in problem.vehicles
        )
        if len(problem.jobs) >= self.search.large_size or plain:
            return "PATH_CHEAPEST_ARC"
        return "PARALLEL_CHEAPEST_INSERTION"

    def without_callback(self) -> SolveParams:
        """A copy that can cross a process boundary (callables do not pickle reliably)."""
        return replace(self, workers=1, on_progress=None, parts=None)

    def tuned(self, **search: object) -> SolveParams:
        """A copy with some OR-Tools search or size thresholds changed (tests, benchmarks)."""
        return replace(self, tuning=self.tuning.with_search(**search))
