"""Splitting one office's engineers and jobs into areas small enough to solve as a part.

A big office (40 engineers, 600 jobs on the 5,000-job day) is one part too many for a
single model in its share of the time. Its jobs are split into ``k`` areas around
far-apart seed jobs (farthest-first on travel time), each of about the same size; its
engineers are dealt round-robin, ordered by their certifications, so every area gets a
mix of skills. A job goes to the nearest area that has a candidate engineer for it and
room left; jobs with the fewest such areas are placed first.
"""

from __future__ import annotations

import math

import numpy as np

from solver.problem import Problem


def split_group(
    problem: Problem,
    allowed: list[list[int]],
    vehicles: list[int],
    jobs: list[int],
    part_size: int,
) -> list[tuple[list[int], list[int]]]:
    """(vehicles, jobs) of each area; every job of ``jobs`` lands in exactly one."""
    k = max(1, min(math.ceil(len(jobs) / part_size), len(vehicles)))
    crews = _deal_engineers(problem, vehicles, k)
    seeds = _seeds(problem, jobs, k)
    room = math.ceil(len(jobs) / k * 1.1)
    areas: list[list[int]] = [[] for _ in range(k)]
    eligible = {i: _eligible(allowed[i], crews) for i in jobs}
    for i in sorted(jobs, key=lambda i: (len(eligible[i]), i)):
        loc = problem.jobs[i].location
        options = eligible[i] or list(range(k))
        by_distance = sorted(options, key=lambda a: (int(problem.durations[seeds[a], loc]), a))
        with_room = [a for a in by_distance if len(areas[a]) < room]
        areas[(with_room or by_distance)[0]].append(i)
    return [(crews[a], sorted(areas[a])) for a in range(k) if areas[a]]


def _deal_engineers(problem: Problem, vehicles: list[int], k: int) -> list[list[int]]:
    def certifications(v: int) -> tuple[str, ...]:
        skills = problem.vehicles[v].skills
        return tuple(sorted(skills)) if skills is not None else ()

    ordered = sorted(vehicles, key=lambda v: (certifications(v), problem.vehicles[v].id))
    return [ordered[a::k] for a in range(k)]


def _seeds(problem: Problem, jobs: list[int], k: int) -> list[int]:
    """Locations of ``k`` jobs far apart from each other (farthest-first traversal)."""
    locations = np.array(sorted({problem.jobs[i].location for i in jobs}), dtype=np.int64)
    seeds = [int(locations[0])]
    nearest = problem.durations[seeds[0], locations].astype(np.int64)
    while len(seeds) < min(k, len(locations)):
        far = int(locations[int(np.argmax(nearest))])
        seeds.append(far)
        nearest = np.minimum(nearest, problem.durations[far, locations])
    while len(seeds) < k:
        seeds.append(seeds[-1])
    return seeds


def _eligible(candidates: list[int], crews: list[list[int]]) -> list[int]:
    """Areas with at least one engineer allowed to serve the job."""
    allowed = set(candidates)
    return [a for a, crew in enumerate(crews) if allowed.intersection(crew)]
