"""The compiled core of ``solver.routes_eval`` (``solver/_routecost.c``), when it is built.

``pip install -e .`` builds it with the machine's C compiler (``setup.py``); without one
the install still succeeds and ``routes_eval`` times every route in Python. The core has
the same dynamic programme without the traces, so it gives the same costs
(``tests/solver/test_routes_eval.py``): ``cost(vehicle, jobs)`` and
``best_insertion(vehicle, jobs, job, base cost, first position, end position)``. It also
runs ``solver.recreate``'s loops (``regret``, ``greedy``, ``live``, ``shuffle`` after
``configure``) and ``solver.ruin``'s removals (``ruin`` after ``configure_ruin``), which
make the same plans as the Python ones (``tests/solver/test_recreate.py``).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from solver.problem import Problem

_routecost: Any
try:
    _routecost = importlib.import_module("solver._routecost")
except ImportError:
    _routecost = None

#: A job's fields as the core reads them: location, service, release, due (``NO_DUE``
#: when none), hard due (0/1), lateness price (0 for a hard due), demand.
JobColumns = tuple[Sequence[int], ...]
#: A vehicle as the core reads it: start and end location, shift start and end, hard
#: day end, overtime price, capacity (-1: none), the first job a change price spares
#: (-1 none, -2 no change price), the price of an empty route, breaks (earliest,
#: latest, duration, ends_at or -1).
VanRow = tuple[Any, ...]


def compiled_core_built() -> bool:
    """Whether the compiled core is there."""
    return _routecost is not None


def compiled_core(
    problem: Problem, jobs: JobColumns, vans: Sequence[VanRow], dc: int, tc: int
) -> Any:
    """The core over one problem's matrices, its jobs' columns and its vehicles."""
    n = len(jobs[0])
    columns = tuple(np.asarray(c, dtype=np.int64).reshape(n).tobytes() for c in jobs)
    matrices = (problem.durations, problem.distances)
    dur, dist = (np.ascontiguousarray(m, dtype=np.int64).tobytes() for m in matrices)
    size = problem.durations.shape[0]
    return _routecost.Core(size, n, dur, dist, columns, list(vans), dc, tc, problem.change_cost)
