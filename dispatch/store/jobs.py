"""Solve jobs: rows that a worker process claims, reports progress on, and finishes.

Every state change is a conditional ``UPDATE`` (``WHERE status IN ...``), so a worker
finishing a job that was cancelled or declared dead in the meantime changes nothing,
and the caller learns it from the return value.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from dispatch.errors import ConflictError, NotFoundError
from dispatch.store._common import Clock, flush_or_conflict, utc_now
from dispatch.store.models import SolveJobRow


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


LIVE_STATUSES: frozenset[JobStatus] = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})


@dataclass(frozen=True, slots=True)
class SolveJob:
    """A solve request and where it stands."""

    id: int
    kind: str
    scope: str
    plan_date: date
    seconds: int
    status: JobStatus
    attempt: int
    created_at: datetime
    progress: dict[str, Any] = field(default_factory=dict)
    as_of: datetime | None = None
    failure_reason: str | None = None
    plan_id: int | None = None
    requested_by: int | None = None
    worker: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def done(self) -> bool:
        return self.status not in LIVE_STATUSES


class JobAlreadyRunningError(ConflictError):
    """A solve of the same scope and day is queued or running."""

    def __init__(self, job: SolveJob) -> None:
        super().__init__(
            f"job {job.id} is already {job.status.value} for {job.scope} on {job.plan_date}"
        )
        self.job = job


def active_key(scope: str, plan_date: date) -> str:
    return f"{scope}|{plan_date.isoformat()}"


class JobRepository:
    """Solve jobs. Only one live job per (scope, day), enforced by a unique key."""

    def __init__(self, session: Session, *, clock: Clock = utc_now) -> None:
        self._session = session
        self._clock = clock

    def add(
        self,
        *,
        kind: str,
        scope: str,
        plan_date: date,
        seconds: int,
        requested_by: int | None,
        as_of: datetime | None = None,
    ) -> SolveJob:
        """Queue a job; ``JobAlreadyRunningError`` if one is live for the scope and day.

        Two racing requests that both pass the check collide on ``active_key``: the
        second gets a plain ``ConflictError``.
        """
        key = active_key(scope, plan_date)
        live = self._session.scalars(
            select(SolveJobRow).where(SolveJobRow.active_key == key)
        ).first()
        if live is not None:
            raise JobAlreadyRunningError(job_from_row(live))
        row = SolveJobRow(
            kind=kind,
            scope=scope,
            plan_date=plan_date,
            seconds=seconds,
            as_of=as_of,
            status=JobStatus.QUEUED.value,
            attempt=0,
            progress={},
            active_key=key,
            requested_by=requested_by,
            created_at=self._clock(),
        )
        self._session.add(row)
        flush_or_conflict(self._session, f"solve job for {scope} on {plan_date}")
        return job_from_row(row)

    def get(self, job_id: int) -> SolveJob:
        query = select(SolveJobRow).where(SolveJobRow.id == job_id)
        row = self._session.scalars(query.execution_options(populate_existing=True)).first()
        if row is None:
            raise NotFoundError("job", job_id)
        return job_from_row(row)

    def claim(self, job_id: int, *, worker: str) -> bool:
        """queued -> running, one more attempt; False if the job is no longer queued."""
        return self._move(
            job_id,
            {JobStatus.QUEUED},
            status=JobStatus.RUNNING.value,
            attempt=SolveJobRow.attempt + 1,
            worker=worker,
            started_at=self._clock(),
        )

    def report_progress(self, job_id: int, progress: dict[str, Any]) -> bool:
        return self._move(job_id, {JobStatus.RUNNING}, progress=progress)

    def succeed(self, job_id: int, *, plan_id: int, progress: dict[str, Any]) -> bool:
        return self._finish(
            job_id, {JobStatus.RUNNING}, JobStatus.SUCCEEDED, plan_id=plan_id, progress=progress
        )

    def fail(self, job_id: int, reason: str) -> bool:
        """Mark a live job failed; False if it had already ended (e.g. cancelled)."""
        return self._finish(job_id, LIVE_STATUSES, JobStatus.FAILED, failure_reason=reason)

    def cancel(self, job_id: int) -> bool:
        return self._finish(job_id, LIVE_STATUSES, JobStatus.CANCELLED)

    def fail_all_live(self, reason: str) -> int:
        """Fail every queued or running job (their runner is gone); returns how many."""
        statement = (
            update(SolveJobRow)
            .where(SolveJobRow.status.in_(sorted(LIVE_STATUSES)))
            .values(_finished(JobStatus.FAILED, self._clock(), failure_reason=reason))
        )
        return cast(CursorResult[Any], self._session.execute(statement)).rowcount

    def count(self, statuses: Collection[JobStatus]) -> int:
        query = select(func.count()).where(SolveJobRow.status.in_(sorted(statuses)))
        return self._session.scalar(query) or 0

    def _finish(
        self, job_id: int, current: Collection[JobStatus], target: JobStatus, **values: Any
    ) -> bool:
        return self._move(job_id, current, **_finished(target, self._clock(), **values))

    def _move(self, job_id: int, current: Collection[JobStatus], **values: Any) -> bool:
        statement = (
            update(SolveJobRow)
            .where(SolveJobRow.id == job_id, SolveJobRow.status.in_(sorted(current)))
            .values(values)
            .execution_options(synchronize_session=False)
        )
        return cast(CursorResult[Any], self._session.execute(statement)).rowcount == 1


def _finished(target: JobStatus, now: datetime, **values: Any) -> dict[str, Any]:
    """Column values of an ended job: it no longer holds its scope's live slot."""
    return {"status": target.value, "active_key": None, "finished_at": now, **values}


def job_from_row(row: SolveJobRow) -> SolveJob:
    return SolveJob(
        id=row.id,
        kind=row.kind,
        scope=row.scope,
        plan_date=row.plan_date,
        seconds=row.seconds,
        status=JobStatus(row.status),
        attempt=row.attempt,
        created_at=row.created_at,
        progress=dict(row.progress),
        as_of=row.as_of,
        failure_reason=row.failure_reason,
        plan_id=row.plan_id,
        requested_by=row.requested_by,
        worker=row.worker,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )
