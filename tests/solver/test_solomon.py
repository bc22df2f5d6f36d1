"""Solomon reader, conversion to a Problem, best-known solutions and the independent check."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from solver.solomon import (
    SolomonInstance,
    check_routes,
    read_bks,
    read_instance,
    read_solution,
    result_json,
    route_distance,
    to_problem,
    to_solution,
)
from solver.solution import Route, Solution, SolveStats, Stop
from solver.validate import hard, objective, validate

DATA = Path(__file__).parent / "data"
WITH_BKS = ("C101", "R112", "RC105", "R211")


@pytest.fixture(scope="module")
def c101_10() -> SolomonInstance:
    return read_instance(DATA / "C101_10.txt")


def test_reader_reads_the_cut_instance(c101_10: SolomonInstance) -> None:
    assert c101_10.name == "C101_10"
    assert (c101_10.vehicles, c101_10.capacity) == (25, 200)
    assert (c101_10.depot.x, c101_10.depot.y, c101_10.depot.due) == (40, 50, 1236)
    assert [c.number for c in c101_10.customers] == list(range(1, 11))
    first = c101_10.customers[0]
    assert (first.demand, first.ready, first.due, first.service) == (10, 912, 967, 90)


def test_reader_accepts_crlf_files(tmp_path: Path) -> None:
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes((DATA / "C101_10.txt").read_bytes().replace(b"\n", b"\r\n"))
    assert len(read_instance(crlf).customers) == 10


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("    3      42         66         10         65        146\n", "expected 7 fields"),
        ("    3      42         66         ten        65        146    90\n", "expected numbers"),
        ("    3      42         66         10        165        146    90\n", "due < ready"),
    ],
)
def test_reader_rejects_malformed_rows(tmp_path: Path, broken: str, message: str) -> None:
    lines = (DATA / "C101_10.txt").read_text().splitlines(keepends=True)
    row = next(i for i, line in enumerate(lines) if line.split()[:1] == ["3"])
    lines[row] = broken
    path = tmp_path / "bad.txt"
    path.write_text("".join(lines))
    with pytest.raises(ValueError, match=message):
        read_instance(path)


def test_reader_rejects_a_file_without_customers(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("X\n\nVEHICLE\nNUMBER CAPACITY\n 25 200\n")
    with pytest.raises(ValueError, match="CUSTOMER"):
        read_instance(path)


def test_to_problem_follows_the_dimacs_convention(c101_10: SolomonInstance) -> None:
    problem = to_problem(c101_10)
    # depot (40, 50) to customer 1 (45, 68): euclid 18.681..., truncated to 18.6 -> 186
    assert math.hypot(5, 18) == pytest.approx(18.6815, abs=1e-4)
    assert problem.distances[0, 1] == problem.durations[1, 0] == 186
    # customers 3 (42, 66) and 5 (42, 65) are exactly 1 apart: no rounding down to 9
    assert problem.distances[3, 5] == 10
    assert problem.distances.dtype.kind == "i"
    job = problem.job("1")
    assert (job.location, job.service, job.release, job.due, job.demand) == (1, 900, 9120, 9670, 10)
    assert job.hard_due and job.drop_penalty is None
    assert len(problem.vehicles) == 25
    vehicle = problem.vehicles[0]
    assert (vehicle.shift_start, vehicle.shift_end, vehicle.capacity) == (0, 12360, 200)
    assert (problem.distance_cost, problem.time_cost, problem.horizon) == (1, 0, 12360)


@pytest.mark.parametrize("name", WITH_BKS)
def test_best_known_solutions_are_feasible_and_match_bks(name: str) -> None:
    instance = read_instance(DATA / f"{name}.txt")
    solution = read_solution(DATA / f"{name}.sol")
    best = read_bks(DATA / "bks.csv")[name]
    assert check_routes(instance, solution.routes) == []
    assert route_distance(instance, solution.routes) == best.distance == solution.cost
    assert len(solution.routes) == best.routes


@pytest.mark.parametrize("name", WITH_BKS)
def test_the_engine_validator_agrees_on_best_known_solutions(name: str) -> None:
    problem = to_problem(read_instance(DATA / f"{name}.txt"))
    routes = read_solution(DATA / f"{name}.sol").routes
    solution = to_solution(problem, routes, engine="bks")
    assert hard(validate(problem, solution)) == []
    assert solution.unassigned == ()
    assert objective(problem, solution) == round(10 * read_bks(DATA / "bks.csv")[name].distance)
    assert result_json(solution, problem)["distance"] == read_bks(DATA / "bks.csv")[name].distance


def test_the_engine_validator_agrees_on_a_broken_route() -> None:
    instance = read_instance(DATA / "R112.txt")
    routes = [list(r) for r in read_solution(DATA / "R112.sol").routes]
    routes[0] = routes[0][::-1]
    problem = to_problem(instance)
    violations = hard(validate(problem, to_solution(problem, routes, "x")))
    errors = check_routes(instance, routes)
    late = {v.job_id for v in violations if v.kind == "due"}
    assert late and late == {e.split()[3] for e in errors if "customer" in e}
    late_return = any(v.kind == "shift" for v in violations)
    assert late_return == any("back at the depot" in e for e in errors)


@pytest.fixture(scope="module")
def r112() -> tuple[SolomonInstance, list[list[int]]]:
    routes = [list(r) for r in read_solution(DATA / "R112.sol").routes]
    return read_instance(DATA / "R112.txt"), routes


def test_check_routes_catches_a_late_customer(
    r112: tuple[SolomonInstance, list[list[int]]],
) -> None:
    instance, routes = r112
    routes[0] = routes[0][::-1]
    assert any("after due" in e for e in check_routes(instance, routes))


def test_check_routes_catches_overload(r112: tuple[SolomonInstance, list[list[int]]]) -> None:
    instance, routes = r112
    small = SolomonInstance(
        instance.name, instance.vehicles, 50, instance.depot, instance.customers
    )
    assert any("exceeds capacity" in e for e in check_routes(small, routes))


def test_check_routes_catches_duplicate_and_missing(
    r112: tuple[SolomonInstance, list[list[int]]],
) -> None:
    instance, routes = r112
    dropped = routes[0].pop()
    routes[1].append(routes[1][0])
    errors = check_routes(instance, routes)
    assert f"customer {dropped} not visited" in errors
    assert f"customer {routes[1][0]} visited 2 times" in errors


def test_check_routes_catches_unknown_customer_and_fleet(
    r112: tuple[SolomonInstance, list[list[int]]],
) -> None:
    instance, routes = r112
    errors = check_routes(instance, [*routes, [999]])
    assert "unknown customer 999" in errors
    few = SolomonInstance(instance.name, 3, instance.capacity, instance.depot, instance.customers)
    assert any("fleet has 3" in e for e in check_routes(few, routes))


def test_check_routes_catches_a_late_return(c101_10: SolomonInstance) -> None:
    # customer 1 is served 912..1002; the depot closes at 1236, 18.6 away: fine;
    # shrink the depot window so the return is late
    depot = c101_10.depot
    tight = SolomonInstance(
        c101_10.name,
        c101_10.vehicles,
        c101_10.capacity,
        type(depot)(0, depot.x, depot.y, 0, 0, 1010, 0),
        (c101_10.customers[0],),
    )
    assert check_routes(tight, [[1]]) == ["route 1: back at the depot at 1020.6 after due 1010"]


def test_result_json_reports_routes_and_distance_in_file_units(c101_10: SolomonInstance) -> None:
    problem = to_problem(c101_10)
    stops = (Stop("5", 150, 150, 1050), Stop("3", 1080, 1080, 1980))
    route = Route("v1", stops, 0, 2500)
    solution = Solution((route,), (), SolveStats(123, 0.1, "test", "FEASIBLE"))
    expected = route_distance(c101_10, [[5, 3]])
    assert result_json(solution, problem) == {
        "routes": [[5, 3]],
        "vehicles": 1,
        "distance": expected,
    }
    assert result_json(solution)["distance"] == 12.3  # the objective, in tenths
