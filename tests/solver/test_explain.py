"""Reasons for unassigned and late jobs: each figure of each reason, on hand-made plans.

1 km = 1 minute = 60 time units (``tests.solver.conftest``). Every hand-made plan is
first checked by the validator, so a reason is never given for an impossible plan.
"""

from __future__ import annotations

from solver import Break, BreakTaken, Job, Problem, Route, Solution, SolveStats, Stop, explain
from solver.explain import (
    BusyWithOtherJobs,
    CannotArriveInTime,
    CheaperThisWay,
    Delay,
    DroppedForHigherPriority,
    NotExamined,
    PlanCanImprove,
    earliest_alone,
)
from solver.explain_timing import best_timing
from solver.validate import hard, validate
from tests.solver.conftest import HOUR, problem, van

STATS = SolveStats(objective=0, wall_seconds=0.0, engine="hand", status="solved")


def _plan(p: Problem, *routes: Route, unassigned: tuple[str, ...] = ()) -> Solution:
    solution = Solution(routes, unassigned, STATS)
    assert hard(validate(p, solution)) == []
    return solution


def test_no_certified_engineer() -> None:
    p = problem(
        [(0, 0), (1, 0)],
        [Job("j", 1, 600, skill="laser")],
        [van("a", skills=frozenset({"pump"}))],
    )
    reason = explain(p, _plan(p, unassigned=("j",)))["j"]
    assert reason.code == "no_certified_engineer"


def test_outside_every_shift() -> None:
    p = problem([(0, 0), (1, 0)], [Job("j", 1, 600, release=9 * HOUR)], [van("a")])
    assert explain(p, _plan(p, unassigned=("j",)))["j"].code == "outside_every_shift"


def test_the_earliest_arrival_counts_the_lunch_on_the_way() -> None:
    """150 km away, due at 2 h 45: straight there is 2 h 30, but lunch must start by 2 h."""
    lunch = Break(HOUR, 2 * HOUR, HOUR)
    p = problem(
        [(0, 0), (150, 0)],
        [Job("j", 1, 600, due=9900, lateness_cost=1)],
        [van("a", shift_end=10 * HOUR, breaks=(lunch,))],
    )
    stop = Stop("j", 12600, 12600, 13200)
    plan = _plan(p, Route("a", (stop,), 0, 22200, (BreakTaken(HOUR, HOUR),)))
    reason = explain(p, plan, seconds_per_unit=1.0)["j"]
    assert isinstance(reason, CannotArriveInTime)
    assert (reason.engineer_id, reason.earliest_start, reason.due) == ("a", 12600, 9900)
    assert reason.late_by == 12600 - 9900
    assert reason.details["late_by"] == 2700


def test_a_job_due_before_lunch_is_served_first() -> None:
    """The lunch window opens on arrival; serving first and lunching after is on time."""
    lunch = Break(HOUR, 3 * HOUR, HOUR)
    p = problem(
        [(0, 0), (60, 0)],
        [Job("j", 1, 600, due=3700, lateness_cost=1)],
        [van("a", breaks=(lunch,))],
    )
    vehicle, job = p.vehicles[0], p.jobs[0]
    assert earliest_alone(p, vehicle, job) == 3600
    route = best_timing(p, vehicle, [job])
    assert route is not None and route.stops[0].start == 3600
    assert hard(validate(p, Solution((route,), (), STATS))) == []


def _two_jobs(urgent_cost: int) -> tuple[Problem, Solution]:
    """One engineer, "a" (an hour's work, due at 20 min) then "b" (due at 30 min), 10 km apart
    on either side of the base: "b" is an hour late, and serving it first makes "a" late."""
    p = problem(
        [(0, 0), (10, 0), (-10, 0)],
        [
            Job("a", 1, HOUR, due=1200, lateness_cost=urgent_cost, drop_penalty=10**6),
            Job("b", 2, 600, due=1800, lateness_cost=1, drop_penalty=10**3),
        ],
        [van("v")],
    )
    stops = (Stop("a", 600, 600, 4200), Stop("b", 5400, 5400, 6000))
    return p, _plan(p, Route("v", stops, 0, 6600))


def test_busy_names_the_jobs_that_serving_it_on_time_would_make_late() -> None:
    p, plan = _two_jobs(urgent_cost=10)
    reason = explain(p, plan)["b"]
    assert isinstance(reason, BusyWithOtherJobs)
    assert reason.candidates == ("v",) and reason.late_by == 3600 and reason.more_urgent
    trial = reason.trial
    assert trial is not None
    assert (trial.engineer_id, trial.start, trial.late_by) == ("v", 600, 0)
    assert trial.delays == (Delay("a", 1200, 0),)
    assert trial.objective_delta == 10 * 1200 - 3600
    assert (trial.extra_distance, trial.extra_time) == (0, 0)
    assert "routes" not in reason.details["trial"]


def test_a_cheaper_on_time_order_is_reported_as_a_better_plan() -> None:
    p, plan = _two_jobs(urgent_cost=1)
    reason = explain(p, plan)["b"]
    assert isinstance(reason, PlanCanImprove)
    assert reason.trial.objective_delta == 1200 - 3600


def _far_engineer(home_km: float) -> tuple[Problem, Solution]:
    """ "a" from the base serves "j" 200 units late; "b", 5 km from "j", ends at ``home_km``."""
    p = problem(
        [(0, 0), (10, 0), (15, 0), (home_km, 0)],
        [Job("j", 1, 600, due=400, lateness_cost=1)],
        [van("a"), van("b", start_location=2, end_location=3)],
    )
    return p, _plan(p, Route("a", (Stop("j", 600, 600, 1200),), 0, 1800))


def test_cheaper_this_way_gives_the_figures() -> None:
    p, plan = _far_engineer(home_km=100)
    reason = explain(p, plan)["j"]
    assert isinstance(reason, CheaperThisWay)
    assert (reason.trial.engineer_id, reason.trial.start, reason.trial.delays) == ("b", 300, ())
    assert reason.trial.extra_distance == (300 + 5400) - 1200
    assert reason.trial.objective_delta == (300 + 5400) - (1200 + 200)
    assert reason.late_by == 200


def test_a_better_plan_is_said_to_exist_when_it_does() -> None:
    p, plan = _far_engineer(home_km=15)
    reason = explain(p, plan)["j"]
    assert isinstance(reason, PlanCanImprove)
    assert reason.trial.objective_delta == 600 - (1200 + 200)


def _full_day(vip_first: bool) -> tuple[Problem, Solution]:
    jobs = [
        Job("vip", 1, 7 * HOUR, drop_penalty=10**6),
        Job("low", 2, 7 * HOUR, drop_penalty=10),
    ]
    p = problem([(0, 0), (1, 0), (1, 0)], jobs, [van("a")])
    served, left = ("vip", "low") if vip_first else ("low", "vip")
    route = Route("a", (Stop(served, 60, 60, 60 + 7 * HOUR),), 0, 120 + 7 * HOUR)
    return p, _plan(p, route, unassigned=(left,))


def test_dropped_for_higher_priority_names_the_more_urgent_jobs() -> None:
    p, plan = _full_day(vip_first=True)
    reason = explain(p, plan)["low"]
    assert isinstance(reason, DroppedForHigherPriority)
    assert (reason.candidates, reason.served) == (("a",), ("vip",))


def test_an_urgent_job_left_out_for_a_less_urgent_one_is_not_for_priority() -> None:
    p, plan = _full_day(vip_first=False)
    reason = explain(p, plan)["vip"]
    assert isinstance(reason, PlanCanImprove)
    assert reason.trial.gives_up == "low"
    assert reason.trial.objective_delta == 10 - 10**6


def test_jobs_past_the_budget_are_said_not_examined() -> None:
    p, plan = _two_jobs(urgent_cost=10)
    assert isinstance(explain(p, plan, budget_s=60.0)["b"], BusyWithOtherJobs)
    reason = explain(p, plan, budget_s=0.0)["b"]
    assert isinstance(reason, NotExamined) and reason.code == "not_examined"


def test_on_time_jobs_need_no_reason() -> None:
    p = problem([(0, 0), (10, 0)], [Job("j", 1, 600, due=HOUR, lateness_cost=1)], [van("a")])
    route = Route("a", (Stop("j", 600, 600, 1200),), 0, 1800)
    assert explain(p, _plan(p, route)) == {}
