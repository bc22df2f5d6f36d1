"""The solver's internal thresholds, in one place, apart from the user's controls.

``SolveParams`` carries what a caller chooses (time limit, seed, workers, a solution
limit for deterministic runs). What is here was measured, not chosen by users: each value
says where ``docs/solver.md`` has its measurement. Change them only with a new measurement.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    #: On a field day, OR-Tools' share for the first plan (ruin and recreate: the rest).
    ortools_share: float = 0.2
    #: On the second worker of a field day, the share of the strategy it starts from.
    second_start_share: float = 0.25


@dataclass(frozen=True, slots=True)
class RuinTuning:
    """Ruin and recreate (``solver.ruin``)."""

    #: Neighbours kept per job for the string and related removals.
    neighbours: int = 20
    #: Average jobs removed by a string removal, and the longest string (SISR's c-bar, L-max).
    avg_removed: int = 8
    max_string: int = 8
    #: Worsening moves used to calibrate the temperature: T0 = share x their median.
    calibration_moves: int = 30
    t0_share: float = 1.0
    #: The final temperature is T0 / cooling (exponential cooling over the budget).
    cooling: float = 200.0
    #: After this many moves without a new best plan, carry on from the best.
    restart_after: int = 400
    #: With a solution limit, ruin and recreate makes this many moves per solution.
    moves_per_solution: int = 1


ENGINE = EngineTuning()
RUIN = RuinTuning()
