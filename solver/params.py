"""How to solve: time budget, seed, determinism, parallelism, progress reporting, strategy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from solver.problem import Problem

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


@dataclass(frozen=True, slots=True)
class SolveParams:
    """Parameters of one solve.

    With ``solution_limit`` set (and a time limit that is not reached) the OR-Tools search
    is deterministic: the same problem, seed and limit give the same routes. ``workers``
    is the number of engines raced in parallel (1 = OR-Tools alone in this process).
    Below ``make_active_max_size`` jobs, local search also uses the moves that insert a
    dropped job while moving or swapping another (off by default in OR-Tools; they pay on
    small days and cost dearly on larger ones, docs/solver.md).
    ``schedule_lp`` lets OR-Tools schedule each route with its LP (exact cumuls under
    soft bounds, breaks and span costs) in local search, instead of only at the end.
    With breaks and at least ``relax_min_size`` jobs, the first ``relax_share`` of the
    time (``relax_share_large`` from ``large_size`` jobs) plans without breaks
    (``solver.search.relaxed``); that plan, with its breaks timed in, warm-starts the
    real model. ``first_solution=None`` picks by problem (``first_solution_for``).
    From ``greedy_only_size`` jobs OR-Tools finds no first solution in any useful time
    and the plan is the greedy one (``solver.greedy``).
    ``prune_vehicles`` restricts each job to the engineers that could plausibly reach it
    (see ``solver.prune``); ``prune_min_size`` is the job count from which pruning applies.
    From ``decompose_size`` jobs the problem is solved in parts of about ``part_size`` jobs
    (``solver.decompose``), the parts spread over ``workers`` processes.
    """

    time_limit_s: float
    seed: int = 0
    solution_limit: int | None = None
    workers: int = 2
    log: bool = False
    on_progress: Callable[[Progress], None] | None = None
    first_solution: FirstSolution | None = None
    metaheuristic: Metaheuristic = "GUIDED_LOCAL_SEARCH"
    schedule_lp: bool = True
    make_active_max_size: int = 110
    relax_share: float = 0.5
    relax_share_large: float = 0.8
    relax_min_size: int = 100
    large_size: int = 500
    prune_vehicles: bool = True
    prune_min_size: int = 200
    prune_nearest: int = 30
    greedy_only_size: int = 2000
    decompose_size: int = 500
    part_size: int = 300

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            raise ValueError("time_limit_s must be positive")
        if self.solution_limit is not None and self.solution_limit < 1:
            raise ValueError("solution_limit must be at least 1")
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        if not (0.0 <= self.relax_share < 1.0 and 0.0 <= self.relax_share_large < 1.0):
            raise ValueError("relax shares must be in [0, 1)")
        if self.prune_nearest < 1:
            raise ValueError("prune_nearest must be at least 1")

    def first_solution_for(self, problem: Problem) -> FirstSolution:
        """The first-solution strategy for ``problem`` (measured in docs/solver.md).

        Path cheapest arc for large problems (cheap to build) and for plain hard-window
        problems (Solomon-like), parallel cheapest insertion for field days.
        """
        if self.first_solution is not None:
            return self.first_solution
        plain = all(j.hard_due for j in problem.jobs) and not any(
            v.breaks for v in problem.vehicles
        )
        if len(problem.jobs) >= self.large_size or plain:
            return "PATH_CHEAPEST_ARC"
        return "PARALLEL_CHEAPEST_INSERTION"

    def without_callback(self) -> SolveParams:
        """A copy that can cross a process boundary (callables do not pickle reliably)."""
        return replace(self, workers=1, on_progress=None)
