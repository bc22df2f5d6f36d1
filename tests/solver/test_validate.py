"""The validator catches each kind of hand-broken plan, and passes a correct one."""

from __future__ import annotations

from dataclasses import replace

import pytest

from solver import (
    Break,
    BreakTaken,
    Job,
    Problem,
    Route,
    Solution,
    SolveStats,
    Stop,
    validate,
    with_next_day,
)
from solver.validate import hard, objective
from tests.solver.conftest import HOUR, problem, van

LUNCH = Break(2400, 2 * HOUR, 1800)
STATS = SolveStats(objective=0, wall_seconds=0.0, engine="hand", status="solved")


@pytest.fixture
def p() -> Problem:
    jobs = [
        Job("j1", 1, 1800, demand=1, skill="x"),
        Job("j2", 2, 1800, demand=1, due=5000, lateness_cost=1),
    ]
    vehicle = van("a", skills=frozenset({"x"}), capacity=2, breaks=(LUNCH,))
    return problem([(0, 0), (10, 0), (20, 0)], jobs, [vehicle, van("b", skills=frozenset({"y"}))])


@pytest.fixture
def good() -> Solution:
    """Start 0; j1 600-2400; lunch on the road at 2400; j2 arrival 4800 (600 + 1800)."""
    stops = (Stop("j1", 600, 600, 2400), Stop("j2", 4800, 4800, 6600))
    route = Route("a", stops, start=0, end=7800, breaks=(BreakTaken(2400, 1800),))
    return Solution((route,), (), STATS)


def _with_route(s: Solution, **changes: object) -> Solution:
    return replace(s, routes=(replace(s.routes[0], **changes),))  # type: ignore[arg-type]


def _kinds(p: Problem, s: Solution) -> set[str]:
    return {v.kind for v in hard(validate(p, s))}


def test_a_correct_plan_has_no_violation(p: Problem, good: Solution) -> None:
    assert validate(p, good) == []
    assert objective(p, good) == 10 * 60 + 10 * 60 + 20 * 60


def test_wrong_arrival_is_caught(p: Problem, good: Solution) -> None:
    stops = (Stop("j1", 700, 700, 2500), good.routes[0].stops[1])
    assert "arrival" in _kinds(p, _with_route(good, stops=stops))


def test_missed_break_is_caught(p: Problem, good: Solution) -> None:
    assert "break" in _kinds(p, _with_route(good, breaks=()))


def test_break_outside_its_window_is_caught(p: Problem, good: Solution) -> None:
    assert "break" in _kinds(p, _with_route(good, breaks=(BreakTaken(2 * HOUR + 1, 1800),)))


def test_break_during_service_is_caught(p: Problem, good: Solution) -> None:
    stops = (Stop("j1", 600, 600, 2400), Stop("j2", 3000, 3000, 4800))
    broken = _with_route(good, stops=stops, end=6000, breaks=(BreakTaken(3600, 1800),))
    assert "break" in _kinds(p, broken)


def test_break_not_accounted_in_the_route_time_is_caught(p: Problem, good: Solution) -> None:
    stops = (Stop("j1", 600, 600, 2400), Stop("j2", 3000, 3000, 4800))
    broken = _with_route(good, stops=stops, end=6000)
    assert "arrival" in _kinds(p, broken)


def test_skill_violation_is_caught(p: Problem, good: Solution) -> None:
    b = replace(good.routes[0], vehicle_id="b", breaks=())
    assert "skill" in _kinds(p, replace(good, routes=(b,)))


def test_duplicate_job_is_caught(p: Problem, good: Solution) -> None:
    assert "duplicate" in _kinds(p, replace(good, unassigned=("j1",)))
    twice = Route("b", (Stop("j2", 1200, 1200, 3000),), 0, 4200)
    assert "duplicate" in _kinds(p, replace(good, routes=(*good.routes, twice)))


def test_missing_job_is_caught(p: Problem, good: Solution) -> None:
    stops = good.routes[0].stops[:1]
    assert "missing" in _kinds(p, _with_route(good, stops=stops, end=3000))


def test_over_capacity_is_caught(p: Problem, good: Solution) -> None:
    tight = replace(p, vehicles=(replace(p.vehicles[0], capacity=1), p.vehicles[1]))
    assert "capacity" in _kinds(tight, good)


def test_hard_due_is_caught_and_soft_due_is_a_soft_late(p: Problem, good: Solution) -> None:
    soft = replace(p, jobs=(p.jobs[0], replace(p.jobs[1], due=4000)))
    (late,) = validate(soft, good)
    assert (late.kind, late.severity, late.job_id) == ("late", "soft", "j2")
    strict = replace(p, jobs=(p.jobs[0], replace(p.jobs[1], due=4000, hard_due=True)))
    assert "due" in _kinds(strict, good)


def test_route_past_the_overtime_cap_is_caught(p: Problem, good: Solution) -> None:
    assert "shift" in _kinds(p, _with_route(good, end=9 * HOUR))


def test_route_ending_before_it_can_be_back_is_caught(p: Problem, good: Solution) -> None:
    assert "end" in _kinds(p, _with_route(good, end=7000))


def test_unknown_vehicle_is_caught(p: Problem, good: Solution) -> None:
    route = replace(good.routes[0], vehicle_id="ghost")
    assert "vehicle" in _kinds(p, replace(good, routes=(route,)))


def test_first_job_not_honoured_is_caught(p: Problem, good: Solution) -> None:
    pinned = replace(p, vehicles=(replace(p.vehicles[0], first_job="j2"), p.vehicles[1]))
    assert "first_job" in _kinds(pinned, good)


def _two_day_plan(night: BreakTaken, end: int) -> tuple[Problem, Solution]:
    """Shift 0-8 h then 24-32 h; j1 at 8-8.5 h, home 10 min later, the night after it."""
    day1 = van("n", shift_end=8 * HOUR, overtime_cap=HOUR)
    vehicle = with_next_day(
        day1, night_start_latest=9 * HOUR, next_shift_start=24 * HOUR, next_shift_end=32 * HOUR
    )
    p = problem([(0, 0), (10, 0)], [Job("j1", 1, 1800)], [vehicle])
    stops = (Stop("j1", 8 * HOUR, 8 * HOUR, 8 * HOUR + 1800),)
    route = Route("n", stops, start=8 * HOUR - 600, end=end, breaks=(night,))
    return p, Solution((route,), (), STATS)


def test_a_night_may_start_late_and_still_end_at_the_next_shift_start() -> None:
    home = 8 * HOUR + 2400
    p, s = _two_day_plan(BreakTaken(home, 24 * HOUR - home), home)
    assert hard(validate(p, s)) == []


def test_a_night_ending_after_the_next_shift_start_is_caught() -> None:
    home = 8 * HOUR + 2400
    p, s = _two_day_plan(BreakTaken(home, 24 * HOUR - home + 60), home)
    assert "break" in _kinds(p, s)


def test_a_night_must_be_declared_with_its_shortest_duration() -> None:
    with pytest.raises(ValueError, match="ends_at"):
        Break(0, 10, 5, ends_at=20)
