"""How to solve: time budget, seed, determinism, parallelism, progress reporting, strategy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

FirstSolution = Literal[
    "PARALLEL_CHEAPEST_INSERTION",
    "LOCAL_CHEAPEST_INSERTION",
    "SEQUENTIAL_CHEAPEST_INSERTION",
    "SAVINGS",
    "PATH_CHEAPEST_ARC",
    "GLOBAL_CHEAPEST_ARC",
    "CHRISTOFIDES",
    "AUTOMATIC",
]
Metaheuristic = Literal[
    "GUIDED_LOCAL_SEARCH",
    "ILS",
    "SIMULATED_ANNEALING",
    "TABU_SEARCH",
    "GREEDY_DESCENT",
]

#: Tried in this order until one yields a first solution; the configured one goes first.
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


@dataclass(frozen=True, slots=True)
class SolveParams:
    """Parameters of one solve.

    With ``solution_limit`` set (and a time limit that is not reached) the OR-Tools search
    is deterministic: the same problem, seed and limit give the same routes. ``workers``
    is the number of engines raced in parallel (1 = OR-Tools alone in this process).
    ``schedule_lp`` lets OR-Tools schedule each route with its LP (exact cumuls under
    soft bounds, breaks and span costs) in local search, instead of only at the end.
    With breaks and at least ``relax_min_size`` jobs, the first ``relax_share`` of the
    time plans without breaks (``solver.search.relaxed``) to warm-start the real model.
    ``prune_vehicles`` restricts each job to the engineers that could plausibly reach it
    (see ``solver.prune``); ``prune_min_size`` is the job count from which pruning applies.
    """

    time_limit_s: float
    seed: int = 0
    solution_limit: int | None = None
    workers: int = 2
    log: bool = False
    on_progress: Callable[[Progress], None] | None = None
    first_solution: FirstSolution = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: Metaheuristic = "GUIDED_LOCAL_SEARCH"
    schedule_lp: bool = True
    relax_share: float = 0.5
    relax_min_size: int = 100
    prune_vehicles: bool = True
    prune_min_size: int = 200
    prune_nearest: int = 30
    validate: bool = True

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            raise ValueError("time_limit_s must be positive")
        if self.solution_limit is not None and self.solution_limit < 1:
            raise ValueError("solution_limit must be at least 1")
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        if not 0.0 <= self.relax_share < 1.0:
            raise ValueError("relax_share must be in [0, 1)")
        if self.prune_nearest < 1:
            raise ValueError("prune_nearest must be at least 1")

    def without_callback(self) -> SolveParams:
        """A copy that can cross a process boundary (callables do not pickle reliably)."""
        return replace(self, workers=1, on_progress=None)
