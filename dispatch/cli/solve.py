"""``dispatch solve`` and ``dispatch vrptw``: the engine on files, with no database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dispatch.cli.errors import friendly_errors
from dispatch.cli.output import print_json
from dispatch.errors import InvalidInputError
from dispatch.services.problem_file import solve_problem_file
from solver import SolveParams, solve, validate
from solver.solomon import check_routes, read_instance, result_json, solution_routes, to_problem

ExistingFile = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, resolve_path=True)
]
Seconds = Annotated[float, typer.Option(min=0.1, max=3600, help="Solver time limit.")]
SeedOption = Annotated[int, typer.Option(help="Solver seed.")]


@friendly_errors
def solve_file(problem: ExistingFile, seconds: Seconds = 10.0, seed: SeedOption = 0) -> None:
    """Plan a problem file (offices, engineers, tickets; see docs/problem-file.md).

    Prints the plan JSON; nothing is stored.
    """
    print_json(solve_problem_file(problem, SolveParams(time_limit_s=seconds, seed=seed)))


@friendly_errors
def vrptw(
    instance: ExistingFile,
    seconds: Seconds = 10.0,
    seed: SeedOption = 0,
    threads: Annotated[int, typer.Option(min=1, max=2, help="Engines raced at once.")] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Solve a Solomon VRPTW instance (DIMACS convention: distances truncated to 0.1)."""
    parsed = read_instance(instance)
    problem = to_problem(parsed)
    solution = solve(problem, SolveParams(time_limit_s=seconds, seed=seed, workers=threads))
    broken = [v.message for v in validate(problem, solution) if v.severity == "hard"]
    broken += check_routes(parsed, solution_routes(solution))
    if solution.unassigned:
        broken.append(f"{len(solution.unassigned)} customers not served")
    result = result_json(solution, problem)
    if as_json:
        print_json(result)
    else:
        typer.echo(
            f"{parsed.name}: {result['vehicles']} vehicles, distance {result['distance']} "
            f"({solution.stats.engine}, {solution.stats.wall_seconds:.1f} s)"
        )
    if broken:
        raise InvalidInputError(f"infeasible result: {broken[0]}")
