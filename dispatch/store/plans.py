"""Plans: every solve is saved as a new version; dispatchers publish the one they adopt."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from dispatch.domain import Plan, Visit
from dispatch.errors import NotFoundError
from dispatch.store._common import Clock, flush_or_conflict, to_utc, utc_now
from dispatch.store.models import PlanRow, UnassignedRow, VisitRow

ALL_OFFICES = "ALL"
"""The scope of a nationwide plan."""


def scope_key(scope: Iterable[str]) -> str:
    """The canonical string of a scope: sorted unique office codes joined by commas.

    ``("SH", "BJ", "SH")`` -> ``"BJ,SH"``; any scope containing ``ALL`` -> ``"ALL"``.
    """
    codes = sorted({code.strip() for code in scope})
    if not codes or "" in codes:
        raise ValueError("a plan scope needs at least one non-empty office code")
    if any("," in code for code in codes):
        raise ValueError(f"office codes may not contain commas: {codes}")
    return ALL_OFFICES if ALL_OFFICES in codes else ",".join(codes)


class PlanRepository:
    """Plan versions per (scope, day), with their visits and unassigned tickets."""

    def __init__(self, session: Session, *, clock: Clock = utc_now) -> None:
        self._session = session
        self._clock = clock

    def add(
        self,
        scope: Iterable[str],
        plan_date: date,
        *,
        visits: Iterable[Visit],
        unassigned: Iterable[tuple[int, str]] = (),
        kpis: Mapping[str, object] | None = None,
    ) -> Plan:
        """Save a new version of the plan of ``scope`` for ``plan_date``.

        The version is one more than the highest saved for that scope and day; earlier
        versions are kept. Two concurrent saves of the same scope and day collide on the
        unique (scope, plan_date, version) and the second raises ``ConflictError``.
        """
        key = scope_key(scope)
        row = PlanRow(
            scope=key,
            plan_date=plan_date,
            version=self._max_version(key, plan_date) + 1,
            created_at=to_utc("clock()", self._clock()),
            published_at=None,
            kpis=dict(kpis or {}),
            visits=[_visit_row(visit) for visit in visits],
            unassigned=[UnassignedRow(ticket_id=t, reason=why) for t, why in unassigned],
        )
        self._session.add(row)
        flush_or_conflict(self._session, f"plan {key} {plan_date} v{row.version}")
        return plan_from_row(row)

    def get(self, plan_id: int) -> Plan:
        return plan_from_row(self._row(plan_id))

    def latest(
        self, scope: Iterable[str], plan_date: date, *, published_only: bool = False
    ) -> Plan | None:
        """The highest version for ``scope`` and ``plan_date`` (only published ones if asked)."""
        query = (
            select(PlanRow)
            .where(PlanRow.scope == scope_key(scope), PlanRow.plan_date == plan_date)
            .order_by(PlanRow.version.desc())
            .limit(1)
            .options(selectinload(PlanRow.visits), selectinload(PlanRow.unassigned))
        )
        if published_only:
            query = query.where(PlanRow.published_at.is_not(None))
        row = self._session.scalars(query).first()
        return plan_from_row(row) if row is not None else None

    def lock_versions(self, scope: Iterable[str], plan_date: date) -> None:
        """Hold the write lock on every version of ``scope`` and ``plan_date`` until the
        transaction ends, so what is read next cannot change before it commits.

        An UPDATE that changes nothing: on PostgreSQL it locks those rows (a racing
        writer waits, then reads what this one committed); on SQLite it takes the
        database's write lock before the reads that decide, not after them.
        """
        statement = (
            update(PlanRow)
            .where(PlanRow.scope == scope_key(scope), PlanRow.plan_date == plan_date)
            .values(version=PlanRow.version)
            .execution_options(synchronize_session=False)
        )
        self._session.execute(statement)
        self._session.expire_all()

    def publish(self, plan_id: int) -> Plan:
        """Mark a plan as published; publishing it again changes nothing."""
        row = self._row(plan_id)
        if row.published_at is None:
            row.published_at = self._clock()
            flush_or_conflict(self._session, f"plan {plan_id}")
        return plan_from_row(row)

    def _max_version(self, key: str, plan_date: date) -> int:
        query = select(func.max(PlanRow.version)).where(
            PlanRow.scope == key, PlanRow.plan_date == plan_date
        )
        return self._session.scalar(query) or 0

    def _row(self, plan_id: int) -> PlanRow:
        query = (
            select(PlanRow)
            .where(PlanRow.id == plan_id)
            .options(selectinload(PlanRow.visits), selectinload(PlanRow.unassigned))
        )
        row = self._session.scalars(query).first()
        if row is None:
            raise NotFoundError("plan", plan_id)
        return row


def _visit_row(visit: Visit) -> VisitRow:
    return VisitRow(
        ticket_id=visit.ticket_id,
        engineer_id=visit.engineer_id,
        sequence=visit.sequence,
        arrival_at=to_utc("arrival", visit.arrival),
        departure_at=to_utc("departure", visit.departure),
        deadline_at=to_utc("deadline", visit.deadline),
        travel_minutes=visit.travel_minutes,
        travel_km=visit.travel_km,
    )


def plan_from_row(row: PlanRow) -> Plan:
    return Plan(
        id=row.id,
        scope=tuple(row.scope.split(",")),
        plan_date=row.plan_date,
        version=row.version,
        created_at=row.created_at,
        visits=tuple(
            _visit_from_row(visit)
            for visit in sorted(row.visits, key=lambda v: (v.engineer_id, v.sequence))
        ),
        unassigned=tuple(sorted((item.ticket_id, item.reason) for item in row.unassigned)),
        kpis=dict(row.kpis),
        published=row.published_at is not None,
    )


def _visit_from_row(row: VisitRow) -> Visit:
    return Visit(
        ticket_id=row.ticket_id,
        engineer_id=row.engineer_id,
        sequence=row.sequence,
        arrival=row.arrival_at,
        departure=row.departure_at,
        deadline=row.deadline_at,
        travel_minutes=row.travel_minutes,
        travel_km=row.travel_km,
    )
