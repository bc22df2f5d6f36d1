"""Large problems in parts: split, solve the parts within the time limit, stitch.

From ``decompose_size`` jobs one OR-Tools model of the whole country is too slow to
search (at 1,000 jobs it did worse than the greedy plan, at 5,000 it found no first
solution; ``docs/solver/search.md``). Instead the day is split by home office
(``solver.parts.split``), the parts are solved apart (``solver.parts.solve_part``) and
stitched into one plan, which a greedy repair completes (``solver.parts.stitch``).

Here the parts are solved in this process and, with ``workers`` > 1, in spawned child
processes: each part gets a share of the time proportional to its jobs, the parts dealt
to the processes largest first; each works through its parts until the common deadline.
``SolveParams.parts`` replaces that with another executor (a queue's workers,
``dispatch.tasks.parts``) that returns the same parts' plans.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from solver.child import start
from solver.params import PartReport, Progress, SolveParams
from solver.parts import Part, assign_homes, partition, solve_part, split, stitch, subproblem
from solver.problem import Problem
from solver.search import empty_solution
from solver.solution import Solution, SolveStats
from solver.validate import objective

__all__ = [
    "Part",
    "assign_homes",
    "deal",
    "homes",
    "partition",
    "solve_here",
    "solve_in_parts",
    "solve_parts",
    "subproblem",
]


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
    problems: Sequence[Problem],
    params: SolveParams,
    deadline: float,
    report: PartReport | None = None,
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
        if params.solution_limit is None and time.time() >= deadline:
            solutions.append(empty_solution(problem, 0.0))
        else:
            solutions.append(solve_part(problem, params, seconds))
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


def solve_here(
    problems: Sequence[Problem],
    params: SolveParams,
    deadline: float,
    report: PartReport | None,
) -> list[Solution | None]:
    """Every part's plan: the first bin in this process, the others in spawned workers.

    Deterministic runs solve every part here, in order. A worker that fails or overruns
    loses only its parts' plans (``None``); their jobs are then left to the repair step.
    """
    if params.solution_limit is not None:
        return list(solve_parts(problems, params, deadline, report))
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
    """Split, solve the parts within the time limit, stitch, repair; a plan always.

    The parts are solved by ``params.parts`` when set (another machine's workers),
    otherwise here (``solve_here``).
    """
    started = time.perf_counter()
    ends_at = time.time() + params.time_limit_s
    deadline = ends_at - params.time_limit_s * params.search.repair_share
    day = split(problem, params)
    report = None
    if params.on_progress is not None:
        everything_dropped = sum(problem.drop_price(job) for job in problem.jobs)
        report = _Tally(params.on_progress, everything_dropped, started).add
    split_at = time.perf_counter()
    solve_all = params.parts or solve_here
    solved = solve_all(day.problems, params, deadline, report)
    solved_at = time.perf_counter()
    repair_by = ends_at if params.solution_limit is None else None  # deterministic: no clock
    plan = stitch(day, solved, repair_by)
    details = {
        "parts": float(len(day.parts)),
        "largest_part": float(max((len(p.jobs) for p in day.parts), default=0)),
        "parts_lost": float(sum(s is None for s in solved)),
        "split_s": split_at - started,
        "parts_s": solved_at - split_at,
        "repair_s": time.perf_counter() - solved_at,
        "unassigned_after_parts": float(sum(len(s.unassigned) for s in solved if s is not None)),
    }
    seconds = time.perf_counter() - started
    stats = SolveStats(plan.stats.objective, seconds, "parts", "solved", details=details)
    return replace(plan, stats=stats)
