"""The one ranking of plans: every engine's plans are compared by ``rank``, everywhere.

A valid plan first, then the lowest objective as ``solver.validate.objective`` recomputes
it from the plan alone (engines account for costs differently), then fewer jobs left out.
"""

from __future__ import annotations

from collections.abc import Sequence

from solver.problem import Problem
from solver.solution import Solution
from solver.validate import hard, objective, validate


def rank(problem: Problem, solution: Solution) -> tuple[int, int, int]:
    """(has a hard violation, recomputed objective, jobs left out): lower is better."""
    invalid = 1 if hard(validate(problem, solution)) else 0
    return (invalid, objective(problem, solution), len(solution.unassigned))


def best_of(problem: Problem, plans: Sequence[Solution]) -> Solution | None:
    """The plan ``rank`` puts first (the earliest on ties); None for no plans."""
    if not plans:
        return None
    return min(enumerate(plans), key=lambda p: (rank(problem, p[1]), p[0]))[1]
