"""``dispatch solve`` and ``dispatch vrptw``: the engine on files, no database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from dispatch.cli import app
from solver.solomon import check_routes, read_instance

DATA = Path(__file__).parent.parent / "solver" / "data"


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _problem() -> dict[str, Any]:
    office = {"code": "SH", "name": "Shanghai", "latitude": 31.2304, "longitude": 121.4737}
    engineers = [
        {"id": "E1", "name": "Chen", "office": "SH", "skills": ["ups-power"]},
        {"id": "E2", "name": "Li", "office": "SH", "skills": ["storage"]},
    ]
    tickets = [
        {
            "id": 10 + i,
            "office": "SH",
            "latitude": 31.2304 + 0.02 * i,
            "longitude": 121.4737,
            "called_at": "2026-11-23T09:00:00+08:00",
            "product_line": line,
            "customer": f"customer {i}",
            "fault": "down",
        }
        for i, line in enumerate(["ups-power", "storage", "ups-power"])
    ]
    return {"date": "2026-11-23", "offices": [office], "engineers": engineers, "tickets": tickets}


def test_solve_plans_a_problem_file(tmp_path: Path) -> None:
    path = tmp_path / "day.json"
    path.write_text(json.dumps(_problem()))
    result = _run("solve", str(path), "--seconds", "1")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    stops = {s["ticket_id"]: r["engineer_id"] for r in plan["routes"] for s in r["stops"]}
    assert stops == {10: "E1", 11: "E2", 12: "E1"}
    first = plan["routes"][0]["stops"][0]
    assert first["deadline"] == "2026-11-23T15:00+08:00"
    assert first["on_time"] is True
    assert plan["unassigned"] == []


def test_a_bad_problem_file_names_the_field(tmp_path: Path) -> None:
    problem = _problem()
    problem["tickets"][1]["latitude"] = 123.0
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(problem))
    result = _run("solve", str(path))
    assert result.exit_code == 2
    assert "tickets.1.latitude" in result.stderr
    problem = _problem()
    problem["tickets"][0]["assigned_engineer_id"] = "E2"
    problem["tickets"][2]["called_at"] = "2026-11-23T09:00:00"
    path.write_text(json.dumps(problem))
    smuggled = _run("solve", str(path))
    assert smuggled.exit_code == 2
    assert "assigned_engineer_id" in smuggled.stderr


def test_vrptw_returns_a_feasible_solution_in_the_published_shape() -> None:
    instance = DATA / "R201_10.txt"
    result = _run("vrptw", str(instance), "--seconds", "1", "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert set(answer) == {"routes", "vehicles", "distance"}
    assert answer["vehicles"] == len(answer["routes"])
    assert check_routes(read_instance(instance), answer["routes"]) == []
    assert sorted(c for route in answer["routes"] for c in route) == list(range(1, 11))
