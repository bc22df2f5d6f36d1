"""Large problems in parts: engineers grouped by home, each group's jobs solved apart.

From ``decompose_size`` jobs one OR-Tools model of the whole country is too slow to
search (at 1,000 jobs it did worse than the greedy plan, at 5,000 it found no first
solution; ``docs/solver.md``). Instead:

1. **Partition** (``partition``): engineers are grouped by where their routes end (their
   home office); each job joins the group of the candidate engineer who could start it
   earliest (skills and reach as in ``solver.prune``; the nearest on ties), unless that
   home's working time is used up and another candidate home has room
   (``assign_homes``). A group with more than
   ``part_size`` jobs is split into areas around far-apart seeds, its engineers dealt
   round-robin between them (``solver.areas``).
2. **Solve** (``solve_parts``): each part is a small ``Problem`` of its own locations,
   solved by ``solve_ortools`` for a share of the time proportional to its jobs. Parts
   are dealt to ``workers`` processes, largest first; each works through its parts until
   the common deadline.
3. **Stitch and repair**: the parts' routes make one plan; jobs a part left out are then
   offered to every candidate engineer (``greedy_plan`` from the stitched routes), so an
   engineer of a neighbouring office can take what the home office could not.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from solver.areas import split_group
from solver.child import start
from solver.greedy import greedy_plan
from solver.params import Progress, SolveParams
from solver.problem import Job, Problem, Vehicle
from solver.prune import Fleet, allowed_vehicles
from solver.search import empty_solution, solve_ortools
from solver.solution import Route, Solution, SolveStats
from solver.validate import objective


@dataclass(frozen=True, slots=True)
class Part:
    """Positions (in the whole problem) of the vehicles and jobs solved together."""

    vehicles: tuple[int, ...]
    jobs: tuple[int, ...]


def _working_time(vehicle: Vehicle) -> int:
    """Time the engineer can spend travelling and on site: the shift less its breaks."""
    return max(0, vehicle.shift_end - vehicle.shift_start - sum(b.duration for b in vehicle.breaks))


def _homes_by_nearness(
    problem: Problem, fleet: Fleet, job: Job, vehicles: list[int], home_of: list[int]
) -> list[tuple[int, int]]:
    """(home, travel) of the job's candidate engineers' homes, the earliest-starting first.

    Engineers who could all be there before the call are ordered by travel time.
    """
    candidates = np.array(vehicles, dtype=np.int64)
    travel = problem.durations[fleet.starts[candidates], job.location]
    ready = fleet.earliest_start(problem, job)[candidates]
    homes: dict[int, int] = {}
    for k in np.lexsort((travel, ready)):
        homes.setdefault(home_of[int(candidates[k])], int(travel[k]))
    return list(homes.items())


def assign_homes(problem: Problem, allowed: list[list[int]]) -> dict[int, list[int]]:
    """Jobs (positions) of each home, the most urgent placed first.

    A job goes to the home of the engineer who could start it earliest (nearest on
    ties), unless that home's working time is used up and another candidate home still
    has room: an overloaded office then hands work to a neighbour before the parts are
    solved, instead of dropping it in its part. A job counts its service plus the travel
    from the home's nearest candidate engineer.
    """
    fleet = Fleet.of(problem)
    home_of = [int(home) for home in fleet.ends]
    room: dict[int, int] = {}
    for vehicle in problem.vehicles:
        room[vehicle.end_location] = room.get(vehicle.end_location, 0) + _working_time(vehicle)
    jobs_of: dict[int, list[int]] = {home: [] for home in room}
    order = sorted(
        (i for i, vehicles in enumerate(allowed) if vehicles),
        key=lambda i: (-problem.drop_price(problem.jobs[i]), problem.jobs[i].due or 0, i),
    )
    for i in order:
        job = problem.jobs[i]
        homes = _homes_by_nearness(problem, fleet, job, allowed[i], home_of)
        fits = [(h, t) for h, t in homes if room[h] >= job.service + t]
        home, travel = (fits or homes)[0]
        room[home] -= job.service + travel
        jobs_of[home].append(i)
    return {home: sorted(jobs) for home, jobs in jobs_of.items()}


def partition(problem: Problem, allowed: list[list[int]], part_size: int) -> list[Part]:
    """Parts of at most about ``part_size`` jobs; jobs no vehicle may serve are in none."""
    groups: dict[int, list[int]] = {}
    for v, vehicle in enumerate(problem.vehicles):
        groups.setdefault(vehicle.end_location, []).append(v)
    jobs_of = assign_homes(problem, allowed)
    parts: list[Part] = []
    for home, members in groups.items():
        jobs = jobs_of[home]
        if not jobs:
            continue
        if len(jobs) <= part_size:
            parts.append(Part(tuple(members), tuple(jobs)))
            continue
        for vehicles, area in split_group(problem, allowed, members, jobs, part_size):
            parts.append(Part(tuple(vehicles), tuple(area)))
    return parts


def subproblem(problem: Problem, part: Part) -> Problem:
    """The part as a problem of its own: only its locations, vehicles, jobs and history."""
    jobs = [problem.jobs[i] for i in part.jobs]
    vehicles = [problem.vehicles[v] for v in part.vehicles]
    used = {j.location for j in jobs}
    used |= {loc for v in vehicles for loc in (v.start_location, v.end_location)}
    locations = sorted(used)
    index = {loc: k for k, loc in enumerate(locations)}
    grid = np.ix_(locations, locations)
    return replace(
        problem,
        durations=np.ascontiguousarray(problem.durations[grid]),
        distances=np.ascontiguousarray(problem.distances[grid]),
        jobs=tuple(replace(j, location=index[j.location]) for j in jobs),
        vehicles=tuple(
            replace(v, start_location=index[v.start_location], end_location=index[v.end_location])
            for v in vehicles
        ),
        previous_routes={
            v.id: problem.previous_routes[v.id] for v in vehicles if v.id in problem.previous_routes
        },
    )


@dataclass(slots=True)
class _Tally:
    """Progress of a solve in parts: the plan's objective if no other part served a job."""

    on_progress: Callable[[Progress], None]
    objective: int
    started: float
    parts_done: int = 0

    def add(self, part: Problem, solution: Solution) -> None:
        dropped_before = sum(part.drop_price(job) for job in part.jobs)
        self.objective -= dropped_before - objective(part, solution)
        self.parts_done += 1
        elapsed = time.perf_counter() - self.started
        self.on_progress(Progress(self.objective, elapsed, self.parts_done, engine="parts"))


def solve_parts(
    problems: list[Problem],
    params: SolveParams,
    deadline: float,
    report: Callable[[Problem, Solution], None] | None = None,
) -> list[Solution]:
    """Solve ``problems`` one after the other, each with its share of the time left.

    ``deadline`` is wall-clock (``time.time()``): it is shared between processes.
    ``report`` hears of each part's plan as it is done. A part reached after the deadline
    is not solved (its jobs go to the repair), unless the run is deterministic.
    """
    solutions: list[Solution] = []
    remaining = sum(len(p.jobs) for p in problems)
    for problem in problems:
        share = len(problem.jobs) / remaining if remaining else 1.0
        seconds = max(params.search.min_part_s, (deadline - time.time()) * share)
        part_params = replace(params, time_limit_s=seconds, workers=1, on_progress=None)
        if params.solution_limit is None and time.time() >= deadline:
            solutions.append(empty_solution(problem, 0.0))
        else:
            solutions.append(solve_ortools(problem, part_params))
        if report is not None:
            report(problem, solutions[-1])
        remaining -= len(problem.jobs)
    return solutions


def deal(sizes: list[int], bins: int) -> list[list[int]]:
    """Indices of ``sizes`` dealt into ``bins`` lists of about equal total, largest first."""
    loads = [0] * bins
    dealt: list[list[int]] = [[] for _ in range(bins)]
    for i in sorted(range(len(sizes)), key=lambda k: (-sizes[k], k)):
        target = loads.index(min(loads))
        dealt[target].append(i)
        loads[target] += sizes[i]
    return [d for d in dealt if d]


def _solve_dealt(
    problems: list[Problem],
    params: SolveParams,
    deadline: float,
    report: Callable[[Problem, Solution], None] | None,
) -> list[Solution | None]:
    """Every part's plan: the first bin in this process, the others in spawned workers.

    A worker that fails or overruns loses only its parts' plans (``None``); their jobs
    are then left to the repair step.
    """
    bins = deal([len(p.jobs) for p in problems], params.workers)
    results: list[Solution | None] = [None] * len(problems)
    quiet = params.without_callback()
    children = [
        (chosen, start(solve_parts, [problems[i] for i in chosen], quiet, deadline))
        for chosen in bins[1:]
    ]
    if bins:
        here = solve_parts([problems[i] for i in bins[0]], quiet, deadline, report)
        for i, solution in zip(bins[0], here, strict=True):
            results[i] = solution
    for chosen, child in children:
        search = params.search
        grace = min(search.parts_grace_s, params.time_limit_s * search.repair_share / 2)
        received = child.result(deadline - time.time() + grace)
        if isinstance(received, list) and len(received) == len(chosen):
            for i, solution in zip(chosen, received, strict=True):
                results[i] = solution
    return results


def homes(problem: Problem) -> int:
    """How many distinct homes (route ends) the engineers have: the parts by office."""
    return len({v.end_location for v in problem.vehicles})


def solve_in_parts(problem: Problem, params: SolveParams) -> Solution:
    """Partition, solve the parts within the time limit, stitch, repair; a plan always."""
    started = time.perf_counter()
    ends_at = time.time() + params.time_limit_s
    deadline = ends_at - params.time_limit_s * params.search.repair_share
    allowed = allowed_vehicles(problem, nearest=params.search.prune_nearest)
    parts = partition(problem, allowed, params.search.part_size)
    problems = [subproblem(problem, part) for part in parts]
    report = None
    if params.on_progress is not None:
        everything_dropped = sum(problem.drop_price(job) for job in problem.jobs)
        report = _Tally(params.on_progress, everything_dropped, started).add
    if params.solution_limit is not None:
        solved: list[Solution | None] = list(solve_parts(problems, params, deadline, report))
    else:
        solved = _solve_dealt(problems, params, deadline, report)
    solved_at = time.perf_counter()
    routes: list[Route] = [r for s in solved if s is not None for r in s.routes]
    stitched = Solution(tuple(routes), (), SolveStats(0, 0.0, "parts", "stitched"))
    repair_by = ends_at if params.solution_limit is None else None  # deterministic: no clock
    plan = greedy_plan(problem, allowed, start=stitched, deadline=repair_by)
    details = {
        "parts": float(len(parts)),
        "largest_part": float(max((len(p.jobs) for p in parts), default=0)),
        "parts_lost": float(sum(s is None for s in solved)),
        "parts_s": solved_at - started,
        "repair_s": time.perf_counter() - solved_at,
        "unassigned_after_parts": float(sum(len(s.unassigned) for s in solved if s is not None)),
    }
    seconds = time.perf_counter() - started
    stats = SolveStats(objective(problem, plan), seconds, "parts", "solved", details=details)
    return replace(plan, stats=stats)
