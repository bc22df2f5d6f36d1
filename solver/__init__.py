"""The optimizer: a plain ``Problem`` in, a validated plain ``Solution`` out.

``solve`` races OR-Tools against HGS when both can take the problem; ``validate`` checks
any plan independently of the model; ``explain`` says why a job is late or unassigned.
"""

from solver.engine import solve
from solver.explain import Reason, explain
from solver.params import Progress, SolveParams
from solver.problem import Break, Job, Problem, Vehicle, with_next_day
from solver.solution import BreakTaken, Route, Solution, SolveStats, Stop
from solver.validate import Violation, objective, validate

__all__ = [
    "Break",
    "BreakTaken",
    "Job",
    "Problem",
    "Progress",
    "Reason",
    "Route",
    "Solution",
    "SolveParams",
    "SolveStats",
    "Stop",
    "Vehicle",
    "Violation",
    "explain",
    "objective",
    "solve",
    "validate",
    "with_next_day",
]
