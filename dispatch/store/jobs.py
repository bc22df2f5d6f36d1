"""Solve jobs: rows that a worker process claims, reports progress on, and finishes.

Every state change is a conditional ``UPDATE`` (``WHERE status IN ...``), so a worker
finishing a job that was cancelled or declared dead in the meantime changes nothing,
and the caller learns it from the return value.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dispatch.errors import ConflictError, NotFoundError
from dispatch.store._common import Clock, flush_or_conflict, utc_now
from dispatch.store.models import PlanRow, SolveJobRow


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
    lease_expires_at: datetime | None = None

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
        live = self.live(scope, plan_date)
        if live is not None:
            raise JobAlreadyRunningError(live)
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

    def live(self, scope: str, plan_date: date) -> SolveJob | None:
        """The queued or running job of the scope and day, if there is one."""
        query = select(SolveJobRow).where(SolveJobRow.active_key == active_key(scope, plan_date))
        row = self._session.scalars(query.execution_options(populate_existing=True)).first()
        return None if row is None else job_from_row(row)

    def get(self, job_id: int) -> SolveJob:
        query = select(SolveJobRow).where(SolveJobRow.id == job_id)
        row = self._session.scalars(query.execution_options(populate_existing=True)).first()
        if row is None:
            raise NotFoundError("job", job_id)
        return job_from_row(row)

    def claim(self, job_id: int, *, worker: str, lease_s: float | None = None) -> bool:
        """queued -> running, one more attempt; False if the job is no longer queued.

        With ``lease_s`` the worker holds the job for that long unless it renews it.
        """
        now = self._clock()
        return self._move(
            job_id,
            {JobStatus.QUEUED},
            status=JobStatus.RUNNING.value,
            attempt=SolveJobRow.attempt + 1,
            worker=worker,
            started_at=now,
            lease_expires_at=None if lease_s is None else now + timedelta(seconds=lease_s),
        )

    def renew_lease(self, job_id: int, *, attempt: int, lease_s: float) -> bool:
        """Extend the lease of this attempt; False if the job is no longer this attempt's
        to run (cancelled, failed, or retried after the lease had expired)."""
        until = self._clock() + timedelta(seconds=lease_s)
        return self._move(
            job_id, {JobStatus.RUNNING}, SolveJobRow.attempt == attempt, lease_expires_at=until
        )

    def expired_leases(self) -> list[SolveJob]:
        """Running jobs whose worker stopped renewing its lease."""
        query = select(SolveJobRow).where(
            SolveJobRow.status == JobStatus.RUNNING.value,
            SolveJobRow.lease_expires_at < self._clock(),
        )
        return [job_from_row(row) for row in self._session.scalars(query)]

    def requeue_expired(self, job_id: int, *, attempt: int) -> bool:
        """running -> queued for another attempt, only if ``attempt``'s lease has expired
        (of two processes reaping at once, one wins)."""
        return self._move(
            job_id,
            {JobStatus.RUNNING},
            *self._expired(attempt),
            status=JobStatus.QUEUED.value,
            worker=None,
            lease_expires_at=None,
        )

    def fail_expired(self, job_id: int, *, attempt: int, reason: str) -> bool:
        """Fail the job if ``attempt``'s lease has expired."""
        values = _finished(JobStatus.FAILED, self._clock(), failure_reason=reason)
        return self._move(job_id, {JobStatus.RUNNING}, *self._expired(attempt), **values)

    def _expired(self, attempt: int) -> tuple[ColumnElement[bool], ...]:
        return (SolveJobRow.attempt == attempt, SolveJobRow.lease_expires_at < self._clock())

    def report_progress(self, job_id: int, progress: dict[str, Any]) -> bool:
        return self._move(job_id, {JobStatus.RUNNING}, progress=progress)

    def succeed(
        self, job_id: int, *, plan_id: int, progress: dict[str, Any], attempt: int | None = None
    ) -> bool:
        """Mark the job succeeded with its plan, if it is still running (as ``attempt``).

        The plan is marked as the job's: a second plan for one job (the task delivered
        twice, two workers racing) breaks ``plans.job_id``'s uniqueness and returns False.
        The caller rolls back on False, so no plan is kept.
        """
        only = () if attempt is None else (SolveJobRow.attempt == attempt,)
        done = _finished(JobStatus.SUCCEEDED, self._clock(), plan_id=plan_id, progress=progress)
        if not self._move(job_id, {JobStatus.RUNNING}, *only, **done):
            return False
        mark = update(PlanRow).where(PlanRow.id == plan_id).values(job_id=job_id)
        try:
            self._session.execute(mark.execution_options(synchronize_session=False))
        except IntegrityError:
            return False
        return True

    def fail(self, job_id: int, reason: str, *, attempt: int | None = None) -> bool:
        """Mark a live job failed (if given, only while ``attempt`` runs it); False if it
        had already ended (e.g. cancelled) or another attempt holds it."""
        only = () if attempt is None else (SolveJobRow.attempt == attempt,)
        values = _finished(JobStatus.FAILED, self._clock(), failure_reason=reason)
        return self._move(job_id, LIVE_STATUSES, *only, **values)

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

    def finished_since(self, after: datetime, limit: int = 1000) -> list[SolveJob]:
        """Jobs that ended after ``after``, oldest first."""
        query = (
            select(SolveJobRow)
            .where(SolveJobRow.finished_at > after)
            .order_by(SolveJobRow.finished_at)
            .limit(limit)
        )
        return [job_from_row(row) for row in self._session.scalars(query)]

    def count(self, statuses: Collection[JobStatus]) -> int:
        query = select(func.count()).where(SolveJobRow.status.in_(sorted(statuses)))
        return self._session.scalar(query) or 0

    def _finish(
        self, job_id: int, current: Collection[JobStatus], target: JobStatus, **values: Any
    ) -> bool:
        return self._move(job_id, current, **_finished(target, self._clock(), **values))

    def _move(
        self,
        job_id: int,
        current: Collection[JobStatus],
        *conditions: ColumnElement[bool],
        **values: Any,
    ) -> bool:
        statement = (
            update(SolveJobRow)
            .where(SolveJobRow.id == job_id, SolveJobRow.status.in_(sorted(current)), *conditions)
            .values(values)
            .execution_options(synchronize_session=False)
        )
        return cast(CursorResult[Any], self._session.execute(statement)).rowcount == 1


def _finished(target: JobStatus, now: datetime, **values: Any) -> dict[str, Any]:
    """Column values of an ended job: it no longer holds its scope's live slot."""
    return {
        "status": target.value,
        "active_key": None,
        "finished_at": now,
        "lease_expires_at": None,
        **values,
    }


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
        lease_expires_at=row.lease_expires_at,
    )
