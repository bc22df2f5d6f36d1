"""Every reason a plan gives is re-checked on generated days, by the validator and OR-Tools.

Small days (one region's offices, the fixture generator's busy scenarios, a short solve)
are explained, and each reason's claim is checked independently of ``solver.explain``:
a trial's plan is rebuilt and re-checked by ``validate``/``objective``; "nobody could be
on time" and "could be on time" by solving the one-job problem with the real OR-Tools
model (a hard due at the claimed time); "no route can fit it" by the repair's forward
clock, a weaker timing than explain's; priorities by reading the jobs.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from dispatch.domain import Ticket
from dispatch.service_area import register
from dispatch.services.problem_builder import build_problem
from dispatch.travel import default_provider
from fixtures.generator import generate_day
from fixtures.organisation import ENGINEERS, OFFICES
from solver import Job, Problem, Solution, SolveParams, Vehicle, solve, validate
from solver.explain import (
    BusyWithOtherJobs,
    CannotArriveInTime,
    CheaperThisWay,
    DroppedForHigherPriority,
    NoCertifiedEngineer,
    NoRoom,
    OutsideEveryShift,
    PlanCanImprove,
    Reason,
    Trial,
    explain,
)
from solver.explain_trials import apply_trial
from solver.repair import timed_route
from solver.validate import hard, objective

DAY = date(2026, 11, 23)
PLAN = SolveParams(time_limit_s=1.0, seed=3, workers=1, solution_limit=300)
PROBE = SolveParams(time_limit_s=0.15, seed=0, workers=1, solution_limit=20)


def _day(scenario: str, seed: int, region: str) -> Problem:
    offices = [o for o in OFFICES if o.region == region]
    codes = {o.code for o in offices}
    drafts = [d for d in generate_day(scenario, DAY, seed) if d.office_code in codes]
    by_code = {o.code: o for o in offices}
    tickets = []
    for number, draft in enumerate(drafts, start=1):
        area, deadline = register(draft, by_code[draft.office_code])
        tickets.append(Ticket(number, draft, area, deadline.at, deadline.rule))
    engineers = [e for e in ENGINEERS if e.office_code in codes]
    planning = build_problem(
        day=DAY, offices=offices, engineers=engineers, tickets=tickets, travel=default_provider()
    )
    return planning.problem


def _alone(problem: Problem, job: Job, vehicles: list[Vehicle], due: int | None) -> Solution:
    """OR-Tools on ``job`` alone (pinned first jobs kept), hard due at ``due``."""
    pinned = {v.first_job for v in vehicles if v.first_job}
    jobs = [replace(problem.job(j), drop_penalty=None) for j in pinned if j != job.id]
    probe = replace(job, due=due, hard_due=due is not None, drop_penalty=None)
    mini = replace(problem, jobs=(*jobs, probe), vehicles=tuple(vehicles), previous_routes={})
    return solve(mini, PROBE)


def _certified(problem: Problem, job: Job) -> list[Vehicle]:
    return [v for v in problem.vehicles if v.can_serve(job)]


def _more_urgent(problem: Problem, job: Job, than: Job) -> bool:
    mine = (problem.drop_price(job), job.lateness_cost)
    theirs = (problem.drop_price(than), than.lateness_cost)
    never = problem.horizon + 1
    return mine > theirs or (
        mine == theirs and (job.due or never) < (than.due if than.due is not None else never)
    )


def _start(solution: Solution, job_id: str) -> int | None:
    return next((s.start for r in solution.routes for s in r.stops if s.job_id == job_id), None)


def _check_trial(problem: Problem, plan: Solution, job: Job, trial: Trial) -> Solution:
    """The trial's plan passes the validator and has the trial's figures."""
    source = next((r.vehicle_id for r in plan.routes if job.id in r.job_ids), None)
    changed = apply_trial(plan, job.id, source, trial)
    assert hard(validate(problem, changed)) == []
    assert objective(problem, changed) - objective(problem, plan) == trial.objective_delta
    assert _start(changed, job.id) == trial.start
    assert trial.engineer_id in {r.vehicle_id for r in changed.routes if job.id in r.job_ids}
    for delay in trial.delays:
        late_job = problem.job(delay.job_id)
        assert late_job.due is not None
        was, now = _start(plan, delay.job_id), _start(changed, delay.job_id)
        assert was is not None and now is not None
        assert now - late_job.due == delay.late_by > max(0, was - late_job.due) == delay.was_late_by
    return changed


def _check_no_one_in_time(problem: Problem, job: Job, reason: CannotArriveInTime) -> None:
    certified = _certified(problem, job)
    if reason.late_by is None:
        assert _alone(problem, job, certified, None).unassigned == (job.id,)
        return
    assert reason.earliest_start is not None and reason.due is not None
    assert reason.earliest_start > reason.due
    assert _alone(problem, job, certified, reason.earliest_start - 1).unassigned == (job.id,)
    assert _alone(problem, job, certified, reason.earliest_start).unassigned == ()


def _fits_somewhere(
    problem: Problem, plan: Solution, job: Job, engineer: str, due: int | None
) -> bool:
    """Whether the repair's forward clock fits ``job`` (by ``due``) into the route.

    A different timing from ``explain``'s, and a weaker one (it takes each break at the
    first moment, a night too): any slot it finds, explain's exact timing finds too.
    """
    vehicle = next(v for v in problem.vehicles if v.id == engineer)
    route = plan.route_of(engineer)
    jobs = [problem.job(j) for j in (route.job_ids if route else ()) if j != job.id]
    for at in range(1 if vehicle.first_job and jobs else 0, len(jobs) + 1):
        timed = timed_route(problem, vehicle, [*jobs[:at], job, *jobs[at:]])
        start = _start(replace(plan, routes=(timed,)), job.id) if timed else None
        if timed is None or start is None or (due is not None and start > due):
            continue
        alone = Solution((timed,), (), plan.stats)
        if not [v for v in hard(validate(problem, alone)) if v.vehicle_id == engineer]:
            return True
    return False


def _check_busy(problem: Problem, plan: Solution, job: Job, reason: BusyWithOtherJobs) -> None:
    for engineer in reason.candidates[:2]:
        vehicle = next(v for v in problem.vehicles if v.id == engineer)
        assert _alone(problem, job, [vehicle], reason.due).unassigned == ()
    if reason.trial is None:
        assert not any(
            _fits_somewhere(problem, plan, job, e, reason.due) for e in reason.candidates
        )
    else:
        _check_trial(problem, plan, job, reason.trial)
        assert reason.trial.late_by == 0 and reason.trial.delays
        assert reason.trial.objective_delta >= 0
        rivals = [problem.job(d.job_id) for d in reason.trial.delays]
        assert reason.more_urgent == all(_more_urgent(problem, r, job) for r in rivals)


def _check_priority(problem: Problem, plan: Solution, job: Job, reason: Reason) -> None:
    serving = {s.job_id: r.vehicle_id for r in plan.routes for s in r.stops}
    if isinstance(reason, DroppedForHigherPriority | NoRoom):
        assert not any(_fits_somewhere(problem, plan, job, e, None) for e in reason.candidates)
    if isinstance(reason, DroppedForHigherPriority):
        assert reason.served
        for job_id in reason.served:
            assert serving[job_id] in reason.candidates
            assert _more_urgent(problem, problem.job(job_id), job)
    if isinstance(reason, NoRoom):
        for job_id in reason.not_more_urgent:
            assert serving[job_id] in reason.candidates
            assert not _more_urgent(problem, problem.job(job_id), job)
        if reason.trial is not None:
            _check_trial(problem, plan, job, reason.trial)
            assert reason.trial.gives_up in reason.not_more_urgent
            assert reason.trial.objective_delta >= 0


def _check(problem: Problem, plan: Solution, job: Job, reason: Reason) -> None:
    if isinstance(reason, NoCertifiedEngineer):
        assert _certified(problem, job) == []
    elif isinstance(reason, OutsideEveryShift):
        assert all(v.shift_end + v.overtime_cap < job.release for v in _certified(problem, job))
    elif isinstance(reason, CannotArriveInTime):
        _check_no_one_in_time(problem, job, reason)
    elif isinstance(reason, BusyWithOtherJobs):
        _check_busy(problem, plan, job, reason)
    elif isinstance(reason, CheaperThisWay):
        _check_trial(problem, plan, job, reason.trial)
        assert reason.trial.objective_delta >= 0
        assert reason.late_by is None or (reason.trial.late_by == 0 and not reason.trial.delays)
    elif isinstance(reason, PlanCanImprove):
        _check_trial(problem, plan, job, reason.trial)
        assert reason.trial.objective_delta < 0
    else:
        _check_priority(problem, plan, job, reason)


@pytest.mark.parametrize(
    ("scenario", "seed", "region"),
    [("peak", 7, "East"), ("peak", 7, "North"), ("storm", 7, "South"), ("normal", 7, "East")],
)
def test_every_reason_on_a_generated_day_is_a_checked_fact(
    scenario: str, seed: int, region: str
) -> None:
    problem = _day(scenario, seed, region)
    plan = solve(problem, PLAN)
    assert hard(validate(problem, plan)) == []
    reasons = explain(problem, plan, seconds_per_unit=60.0)
    late = {v.job_id for v in validate(problem, plan) if v.kind == "late"}
    assert set(reasons) == late | set(plan.unassigned)
    for job_id, reason in reasons.items():
        _check(problem, plan, problem.job(job_id), reason)
