"""The time limit of a plan covers all of it: reading, travel matrix, search and write-up.

``dispatch solve FILE --seconds S`` used to hand S to the search alone; at 10,000 tickets
the reading, the intake rules and the travel matrix took longer than a 2 s search
(issue 9, item 13). Now the search gets what is left of S once the day is built, less an
estimate of the write-up (validation, reasons, KPIs, the document), and a limit too short
for the size of the day is refused up front rather than overrun. The figures behind the
constants are in ``docs/solver.md``, "Limits".
"""

from __future__ import annotations

import time
from dataclasses import replace

from dispatch.errors import ProblemTooLargeError
from solver import SolveParams

SECONDS_PER_1000_PLACES = 1.5
"""The shortest time limit per 1,000 places (offices, engineers' positions, ticket
sites): building the day and the travel matrix, the solver's own preparation (pruning,
partition) and the write-up grow with the size, and must leave the search some time."""
MIN_SECONDS = 1.0
"""The shortest time limit of any day: the search needs a moment even on a small one."""
WRITE_UP_S_PER_JOB = 0.0003
"""Estimated validation, reasons, KPIs and document per ticket, kept out of the search."""
MIN_SEARCH_S = 0.1
"""The search gets at least this long, however long the preparation took."""


def min_seconds(places: int) -> float:
    """The shortest time limit accepted for a day of ``places`` places (rounded up to 0.1 s)."""
    return max(MIN_SECONDS, -(-places * SECONDS_PER_1000_PLACES * 10 // 1000) / 10)


def check_time_limit(places: int, seconds: float) -> None:
    """Refuse a time limit the day's size cannot be planned in."""
    needed = min_seconds(places)
    if seconds < needed:
        raise ProblemTooLargeError(
            f"a day of {places:,} places needs a time limit of at least {needed:g} s "
            f"(given {seconds:g} s): preparing and writing up the plan take part of it"
        )


def for_search(params: SolveParams, started: float, jobs: int) -> SolveParams:
    """``params`` with the search's share of the limit: what is left since ``started``
    (``time.monotonic()``) once the write-up of ``jobs`` tickets is set aside."""
    spent = time.monotonic() - started
    left = params.time_limit_s - spent - jobs * WRITE_UP_S_PER_JOB
    return replace(params, time_limit_s=max(MIN_SEARCH_S, left))
