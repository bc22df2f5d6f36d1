"""The solver's internal thresholds, in one place, apart from the user's controls.

``SolveParams`` carries what a caller chooses (time limit, seed, workers, a solution
limit for deterministic runs, progress reports). What is here was measured, not chosen by
users (``docs/solver.md`` has the measurements): change a value only with a new
measurement. ``SolveParams.tuning`` holds a ``Tuning``; benchmarks and tests may pass
another one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
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


@dataclass(frozen=True, slots=True)
class SearchTuning:
    """OR-Tools' search (``solver.search``) and the sizes where the approach changes.

    Below ``make_active_max_size`` jobs, local search also uses the moves that insert a
    dropped job while moving or swapping another (they pay on small days and cost dearly
    on larger ones). ``schedule_lp`` lets OR-Tools schedule each route with its LP in
    local search. With breaks and at least ``relax_min_size`` jobs, the first
    ``relax_share`` of the time (``relax_share_large`` from ``large_size`` jobs) plans
    without breaks (``solver.search.relaxed``), which warm-starts the real model.
    ``first_solution=None`` picks by problem (``SolveParams.first_solution_for``). From
    ``greedy_only_size`` jobs a single model's plan is the greedy one (``solver.greedy``).
    ``prune_vehicles`` restricts each job to the engineers that could plausibly reach it
    (``solver.prune``) from ``prune_min_size`` jobs. From ``decompose_size`` jobs the
    problem is solved in parts of about ``part_size`` jobs (``solver.decompose``).
    """

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
    #: Below this much time left, do not start another fallback first-solution strategy.
    min_attempt_s: float = 0.05
    #: Time allowed to read a warm start (breaks, cumuls): at most this, and this share.
    warm_start_s: float = 2.0
    warm_start_share: float = 0.15
    #: Share of the time limit kept for stitching parts and the repair step.
    repair_share: float = 0.1
    #: A part gets at least this long, even when the deadline has passed.
    min_part_s: float = 0.05
    #: How long past the deadline to wait for a parts worker before giving up its parts
    #: (at most half the repair's share of the limit).
    parts_grace_s: float = 5.0

    def __post_init__(self) -> None:
        if not (0.0 <= self.relax_share < 1.0 and 0.0 <= self.relax_share_large < 1.0):
            raise ValueError("relax shares must be in [0, 1)")
        if self.prune_nearest < 1:
            raise ValueError("prune_nearest must be at least 1")


@dataclass(frozen=True, slots=True)
class EngineTuning:
    """How ``solver.engine`` shares the time between strategies and processes."""

    #: The second process stops this long before the time limit, to send its plans back.
    send_s: float = 0.2
    #: How long past the time limit to wait for the second process before giving up on it.
    grace_s: float = 0.3
    #: Below this time limit a second process costs more than it brings (re-plans: 1 s).
    min_race_s: float = 2.5
    #: With one worker on a problem HGS takes, OR-Tools' share of the time (HGS: the rest).
    one_core_ortools_share: float = 0.2
    #: On a field day, OR-Tools' share for a first plan (ruin and recreate: the rest),
    #: and at most this long: past its first plans OR-Tools improves far more slowly.
    ortools_share: float = 0.2
    ortools_max_s: float = 3.0
    #: The same for the day in parts by office, the other first plan of field days.
    parts_share: float = 0.25
    parts_max_s: float = 4.0
    #: Below this time limit (no solution limit, not a re-plan) neither worker waits for
    #: a first plan from OR-Tools or the parts: ruin and recreate starts from nobody
    #: moving, its first move a regret insertion of every job (0.01 s on ``peak``). At
    #: today's CPU a move, 10 s solves gain from it too (``docs/benchmarks/
    #: ruin-and-recreate.md``, session 6: lineup); from 12 s on it is not measured.
    own_start_below_s: float = 12.0
    #: Ruin and recreate makes one independent run (its own random numbers, its own
    #: cooling) per this many seconds of the time limit, at most ``max_attempts``, and
    #: keeps the best: on ``storm`` days a run's basin is a draw that a longer run does
    #: not improve (``docs/solver/ruin-and-recreate.md``, "Several attempts", session 7).
    attempt_s: float = 1.0
    max_attempts: int = 3
    #: When both workers run ruin and recreate, the second one stops exploring
    #: ``lead_seconds`` before its end and recombines its routes with those the first
    #: worker has by then (``solver.recombine``, the *lead*), waiting at most
    #: ``lead_wait_s`` for them (``docs/solver/ruin-and-recreate.md``, session 13).
    lead: bool = True
    lead_share: float = 0.5
    lead_max_s: float = 6.0
    lead_wait_s: float = 0.3

    def ruin_attempts(self, time_limit_s: float) -> int:
        """Independent ruin-and-recreate runs for a time limit: at least one."""
        return max(1, min(self.max_attempts, int(time_limit_s / self.attempt_s)))

    def lead_seconds(self, time_limit_s: float) -> float:
        """How long the second worker recombines both workers' routes (0: no lead)."""
        return min(self.lead_share * time_limit_s, self.lead_max_s) if self.lead else 0.0


@dataclass(frozen=True, slots=True)
class RuinTuning:
    """Ruin and recreate (``solver.ruin``)."""

    #: Neighbours kept per job for the string and related removals.
    neighbours: int = 20
    #: Average jobs removed by a string removal, and the longest string (SISR's c-bar, L-max).
    avg_removed: int = 12
    max_string: int = 8
    #: ... and at most this share of the day's jobs (a 30-job day: 8).
    removed_share: float = 0.27
    #: Worsening moves used to calibrate the temperature: T0 = share x their median.
    calibration_moves: int = 30
    t0_share: float = 1.0
    #: The final temperature is T0 / cooling (exponential cooling over the budget).
    cooling: float = 200.0
    #: After this many moves without a new best plan, carry on from the best. 400 until
    #: session 6; at today's move counts (35,000 and 110,000 a worker in 3 s and 10 s)
    #: 2,000 lands in better basins on ``storm`` and ``peak`` 7 (12 search seeds;
    #: ``docs/solver/ruin-and-recreate.md``, "Restarting less often").
    restart_after: int = 2000
    #: How often each removal is chosen: strings, related, random.
    removals: tuple[float, float, float] = (0.5, 0.3, 0.2)
    #: Share of the moves whose recreate is greedy in a random order instead of regret-2.
    greedy_share: float = 0.2
    #: Insert a job only into the routes of its nearest jobs and of the engineers who
    #: start nearest to it (this many); 0 tries every route.
    granular: int = 0
    #: Re-insert, of the jobs left out before a move, only those near a removed one.
    local_pool: bool = False
    #: Skip insertion positions by their lower bound (off only to measure what it buys).
    bounds: bool = True
    #: Reuse the timing labels of route prefixes (off only to measure what it buys).
    reuse_prefixes: bool = True
    #: Time routes with the compiled core (``solver/_routecost.c``) when it is built
    #: (off only to measure what it buys; the costs are the same).
    compiled: bool = True
    #: Run the removals in the compiled core too (off only to measure what it buys; the
    #: same plans).
    compiled_ruin: bool = True
    #: Make a whole move (ruin, then recreate) in one call of the compiled core (off only
    #: to measure what it buys; the same plans).
    compiled_move: bool = True
    #: With a solution limit, ruin and recreate makes this many moves per solution.
    moves_per_solution: int = 1
    #: After the attempts, the best plan made of the routes they accepted (set
    #: partitioning, ``solver.recombine``), in this share of the time, at least
    #: ``recombine_min_s`` (SCIP needs about a second on a ``storm`` day) but never more than
    #: ``recombine_most`` of it, and at most ``recombine_max_s``.
    recombine: bool = True
    recombine_share: float = 0.3
    recombine_min_s: float = 1.0
    recombine_most: float = 0.4
    recombine_max_s: float = 6.0
    #: Routes the pool holds before it forgets its older half.
    pool_limit: int = 60_000
    #: With a move count instead of a time, SCIP's branch and bound stops after this many
    #: nodes, so the same seed gives the same plan.
    recombine_nodes: int = 200
    #: SCIP separates clique cuts only (``solver.recombine.CLIQUE_CUTS_ONLY``; off only to
    #: measure what it buys).
    recombine_clique_cuts: bool = True

    def recombine_seconds(self, seconds: float) -> float:
        """Of a search's ``seconds``, those kept for recombining its routes (0 when off)."""
        wanted = max(self.recombine_min_s, self.recombine_share * seconds)
        kept = min(wanted, self.recombine_most * seconds, self.recombine_max_s)
        return kept if self.recombine else 0.0


@dataclass(frozen=True, slots=True)
class Tuning:
    """Every internal threshold, by the part of the solver that uses it."""

    search: SearchTuning = field(default_factory=SearchTuning)
    engine: EngineTuning = field(default_factory=EngineTuning)
    ruin: RuinTuning = field(default_factory=RuinTuning)

    def with_search(self, **changes: object) -> Tuning:
        """A copy with some of ``search``'s values changed (benchmarks, tests)."""
        return replace(self, search=replace(self.search, **changes))  # type: ignore[arg-type]


TUNING = Tuning()
