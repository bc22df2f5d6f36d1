"""The travel a stitch's repair will read, asked of an outline in one go.

The greedy repair (``solver.greedy``) offers each job no part served to its candidate
engineers at every position of their routes, and reads each leg as a single pair; on an
outline (``solver.outline``) each new pair costs a call into the travel rule. The pairs
it can read are mostly known before it starts: every served route's legs, and each
unserved job's site to and from every place on its candidates' routes. Computed together
they cost one vectorised call. Legs between two unserved jobs put next to each other
(jobs x jobs pairs per engineer: 28 M on the 20,000-job day) are left to be asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from solver.solution import Route

if TYPE_CHECKING:
    from solver.parts import Split

IntArray = npt.NDArray[np.int64]


def _places(split: Split, routes: Sequence[Route]) -> list[list[int]]:
    """Per vehicle (position), its start, its route's stops and its end, in order."""
    problem = split.problem
    positions = problem.job_positions()
    by_vehicle = {route.vehicle_id: route for route in routes}
    places = []
    for vehicle in problem.vehicles:
        route = by_vehicle.get(vehicle.id)
        stops = [problem.jobs[positions[j]].location for j in route.job_ids] if route else []
        places.append([vehicle.start_location, *stops, vehicle.end_location])
    return places


def repair_pairs(split: Split, routes: Sequence[Route]) -> tuple[IntArray, IntArray]:
    """(from, to) locations of every pair the repair of ``routes`` may read."""
    problem = split.problem
    places = _places(split, routes)
    served = {j for route in routes for j in route.job_ids}
    legs = np.array([leg for way in places for leg in pairwise(way)], dtype=np.int64)
    rows, cols = [legs[:, 0]], [legs[:, 1]]
    for i, job in enumerate(problem.jobs):
        if job.id in served or not split.allowed[i]:
            continue
        around = np.array([p for v in split.allowed[i] for p in places[v]], dtype=np.int64)
        site = np.full(around.shape, job.location)
        rows += [around, site]
        cols += [site, around]
    return np.concatenate(rows), np.concatenate(cols)
