"""Which engineers may be considered for which job: skills, reachability, nearest-K.

Pruning restricts each job's ``VehicleVar`` to a candidate list. Two rules:

* **Exact (always)**: the vehicle has the job's skill, and leaving its start at the shift
  start, driving straight to the job, serving it and driving to its end fits before the
  hard end of its day (shift end + overtime cap), and a hard due can be met. Any route
  breaking this rule is infeasible anyway, so this loses nothing.
* **Heuristic (large problems only)**: of the vehicles passing the exact rule, keep the
  ``k`` that could start the job the earliest when going straight there from their start.
  A Shanghai engineer is not considered for Urumqi when ``k`` engineers are closer. This
  can in principle lose the optimum; ``docs/solver/search.md`` measures what it costs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from solver.problem import Job, Problem

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Fleet:
    starts: IntArray
    ends: IntArray
    shift_starts: IntArray
    day_limits: IntArray

    @classmethod
    def of(cls, problem: Problem) -> Fleet:
        vs = problem.vehicles
        return cls(
            starts=np.array([v.start_location for v in vs], dtype=np.int64),
            ends=np.array([v.end_location for v in vs], dtype=np.int64),
            shift_starts=np.array([v.shift_start for v in vs], dtype=np.int64),
            day_limits=np.array([v.shift_end + v.overtime_cap for v in vs], dtype=np.int64),
        )

    def earliest_start(self, problem: Problem, job: Job) -> IntArray:
        """Per vehicle, when it could start ``job`` going straight there from its start."""
        travel = problem.durations[self.starts, job.location]
        earliest: IntArray = np.maximum(self.shift_starts + travel, job.release)
        return earliest


class _Skills:
    """Per skill, which vehicles may serve it (``Vehicle.can_serve``): one boolean row
    each, built at the first job that asks for that skill."""

    def __init__(self, problem: Problem) -> None:
        self._vehicles = problem.vehicles
        self._rows: dict[str | None, npt.NDArray[np.bool_]] = {}

    def mask(self, job: Job) -> npt.NDArray[np.bool_]:
        row = self._rows.get(job.skill)
        if row is None:
            row = np.array([v.can_serve(job) for v in self._vehicles], dtype=np.bool_)
            self._rows[job.skill] = row
        return row


def _candidates(
    problem: Problem, fleet: Fleet, skills: _Skills, job: Job
) -> tuple[IntArray, IntArray]:
    """Vehicles passing the exact rule (positions, ascending), and each vehicle's earliest
    service start."""
    reach = fleet.earliest_start(problem, job)
    back = reach + job.service + problem.durations[job.location, fleet.ends]
    ok = (back <= fleet.day_limits) & (reach <= problem.horizon) & skills.mask(job)
    if job.hard_due and job.due is not None:
        ok &= reach <= job.due
    return np.flatnonzero(ok), reach


def _nearest(candidates: IntArray, reach: IntArray, nearest: int) -> IntArray:
    """The ``nearest`` candidates that could start the earliest (lower position on ties),
    in ascending position."""
    order = np.lexsort((candidates, reach[candidates]))
    return np.sort(candidates[order[:nearest]])


def allowed_vehicles(problem: Problem, *, nearest: int | None) -> list[list[int]]:
    """For each job (in problem order), the vehicle positions allowed to serve it.

    ``nearest=None`` applies only the exact rule. A pinned ``first_job`` is allowed only
    on its vehicle, whatever the rules say.
    """
    pinned = {v.first_job: i for i, v in enumerate(problem.vehicles) if v.first_job}
    fleet = Fleet.of(problem)
    skills = _Skills(problem)
    result: list[list[int]] = []
    for job in problem.jobs:
        if job.id in pinned:
            result.append([pinned[job.id]])
            continue
        candidates, reach = _candidates(problem, fleet, skills, job)
        if nearest is not None and len(candidates) > nearest:
            candidates = _nearest(candidates, reach, nearest)
        result.append(candidates.tolist())
    return result
