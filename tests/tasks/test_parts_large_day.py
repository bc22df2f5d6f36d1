"""A plan job for a day beyond the full-matrix caps goes through when parts workers are there.

The job runner is given the parts executor a queue worker gives it (``adapt``); here it
is a recorder that solves the parts in this process. The caps are lowered so that a few
Shanghai calls make a large day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest
from sqlalchemy.orm import Session

from dispatch.services import problem_builder
from dispatch.services.jobs import PLAN, SolveRequest, request_solve, run_job
from dispatch.store.jobs import JobRepository, JobStatus
from dispatch.store.repository import PlanRepository
from solver import Problem, Solution, SolveParams
from solver.decompose import solve_here
from solver.outline import is_outline
from solver.params import PartReport
from tests.api.conftest import DAY, add_ticket, load_organisation


class _Parts:
    """Solves the parts here, remembering whether they came as outlines."""

    def __init__(self) -> None:
        self.outlines: list[bool] = []

    def __call__(
        self,
        problems: Sequence[Problem],
        params: SolveParams,
        deadline: float,
        report: PartReport | None,
    ) -> list[Solution | None]:
        self.outlines += [is_outline(p) for p in problems]
        return solve_here(problems, params, deadline, report)


@pytest.fixture(autouse=True)
def large_day(session: Session, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    load_organisation(session)
    monkeypatch.setattr(problem_builder, "MAX_PLACES", 5)
    monkeypatch.setattr(problem_builder, "OUTLINE_FROM_JOBS", 1)
    return [add_ticket(session, lat=31.2 + k / 100).id for k in range(6)]


def _job(session: Session) -> int:
    job = request_solve(session, SolveRequest(PLAN, ("SH",), DAY, 1, None))
    session.commit()
    return job.id


def test_a_large_day_is_planned_in_parts_from_its_outline(
    database_url: str, session: Session, large_day: list[int]
) -> None:
    parts = _Parts()
    job_id = _job(session)

    def adapt(params: SolveParams) -> SolveParams:
        return replace(params.tuned(decompose_size=1, part_size=3), parts=parts)

    run_job(database_url, job_id, adapt=adapt)
    job = JobRepository(session).get(job_id)
    assert job.status is JobStatus.SUCCEEDED, job.failure_reason
    assert parts.outlines and all(parts.outlines)
    assert job.plan_id is not None
    plan = PlanRepository(session).get(job.plan_id)
    planned = {v.ticket_id for v in plan.visits} | {t for t, _ in plan.unassigned}
    assert planned == set(large_day)


def test_without_parts_workers_a_large_day_fails_with_the_size_reason(
    database_url: str, session: Session
) -> None:
    job_id = _job(session)
    run_job(database_url, job_id)
    job = JobRepository(session).get(job_id)
    assert job.status is JobStatus.FAILED
    assert job.failure_reason is not None and "at most 5" in job.failure_reason
