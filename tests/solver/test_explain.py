"""Reasons for unassigned and late jobs, computed from the problem and the plan."""

from __future__ import annotations

from solver import Job, Route, Solution, SolveStats, Stop, explain
from tests.solver.conftest import HOUR, problem, van

STATS = SolveStats(objective=0, wall_seconds=0.0, engine="hand", status="solved")


def test_no_certified_engineer() -> None:
    p = problem(
        [(0, 0), (1, 0)],
        [Job("j", 1, 600, skill="laser")],
        [van("a", skills=frozenset({"pump"}))],
    )
    reason = explain(p, Solution((), ("j",), STATS))["j"]
    assert reason.code == "no_certified_engineer"


def test_outside_every_shift() -> None:
    p = problem([(0, 0), (1, 0)], [Job("j", 1, 600, release=9 * HOUR)], [van("a")])
    assert explain(p, Solution((), ("j",), STATS))["j"].code == "outside_every_shift"


def test_cannot_arrive_names_the_nearest_engineer_and_the_time() -> None:
    p = problem(
        [(0, 0), (1000, 0), (700, 0)],
        [Job("j", 1, HOUR)],
        [van("far"), van("near", start_location=2, end_location=2)],
    )
    reason = explain(p, Solution((), ("j",), STATS))["j"]
    assert reason.code == "cannot_arrive_in_time"
    assert reason.details == {"engineer_id": "near", "arrival": 300 * 60}


def test_dropped_for_higher_priority() -> None:
    p = problem(
        [(0, 0), (1, 0), (2, 0)],
        [Job("vip", 1, 7 * HOUR, drop_penalty=10**6), Job("low", 2, 7 * HOUR, drop_penalty=10)],
        [van("a")],
    )
    route = Route("a", (Stop("vip", 60, 60, 60 + 7 * HOUR),), 0, 120 + 7 * HOUR)
    reason = explain(p, Solution((route,), ("low",), STATS))["low"]
    assert reason.code == "dropped_for_higher_priority"


def test_late_job_reports_minutes_late_and_why() -> None:
    p = problem(
        [(0, 0), (10, 0)],
        [Job("j", 1, 600, due=300, lateness_cost=1)],
        [van("a")],
    )
    route = Route("a", (Stop("j", 600, 600, 1200),), 0, 1800)
    reason = explain(p, Solution((route,), (), STATS), seconds_per_unit=1.0)["j"]
    assert reason.code == "cannot_arrive_in_time"
    assert reason.details["minutes_late"] == 5.0


def test_late_because_busy() -> None:
    p = problem(
        [(0, 0), (10, 0), (10, 1)],
        [Job("a", 1, HOUR), Job("b", 2, 600, due=1200, lateness_cost=1)],
        [van("v")],
    )
    stops = (Stop("a", 600, 600, 4200), Stop("b", 4260, 4260, 4860))
    route = Route("v", stops, 0, 5460)
    reason = explain(p, Solution((route,), (), STATS))["b"]
    assert reason.code == "busy_with_other_jobs"
    assert reason.details["late_by"] == 4260 - 1200


def test_on_time_jobs_need_no_reason() -> None:
    p = problem([(0, 0), (10, 0)], [Job("j", 1, 600, due=HOUR, lateness_cost=1)], [van("a")])
    route = Route("a", (Stop("j", 600, 600, 1200),), 0, 1800)
    assert explain(p, Solution((route,), (), STATS)) == {}
