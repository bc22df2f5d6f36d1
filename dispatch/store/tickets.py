"""Tickets: intake, queries for planning, and status changes with optimistic locking."""

from __future__ import annotations

import builtins
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Select, select, update
from sqlalchemy.orm import Session

from dispatch.domain import (
    DeadlineRule,
    GeoPoint,
    ServiceArea,
    Ticket,
    TicketDraft,
    TicketStatus,
)
from dispatch.errors import ConflictError, NotFoundError, StaleVersionError
from dispatch.lifecycle import transition
from dispatch.store._common import Clock, flush_or_conflict, to_utc, utc_now
from dispatch.store.models import TicketRow
from dispatch.store.offices import require_office

_ACTUAL_TIME_COLUMN: dict[TicketStatus, str] = {
    TicketStatus.EN_ROUTE: "en_route_at",
    TicketStatus.ON_SITE: "arrived_at",
    TicketStatus.FIXED_ON_SITE: "finished_at",
    TicketStatus.CARRIED_BACK: "finished_at",
}
"""The column that records when an engineer reported reaching each status."""


@dataclass(frozen=True, slots=True)
class ActualTimes:
    """When the engineer reported leaving for, reaching and finishing a job (UTC)."""

    en_route_at: datetime | None = None
    arrived_at: datetime | None = None
    finished_at: datetime | None = None


class TicketRepository:
    """Service requests. Every status change bumps ``Ticket.version``."""

    def __init__(self, session: Session, *, clock: Clock = utc_now) -> None:
        self._session = session
        self._clock = clock

    def add(
        self,
        draft: TicketDraft,
        *,
        area: ServiceArea,
        deadline_at: datetime,
        deadline_rule: DeadlineRule,
        status: TicketStatus = TicketStatus.AWAITING_DISPATCH,
    ) -> Ticket:
        """Register a call with its classified area and deadline; returns it with its id.

        Raises ``ConflictError`` if ``draft.source_ref`` is already taken and
        ``NotFoundError`` if the office does not exist.
        """
        ref = draft.source_ref
        if ref is not None and self.get_by_source_ref(ref) is not None:
            raise ConflictError(f"a ticket with source_ref {ref!r} already exists")
        require_office(self._session, draft.office_code)
        now = to_utc("clock()", self._clock())
        row = TicketRow(
            **_draft_columns(draft),
            service_area=area,
            deadline_at=to_utc("deadline_at", deadline_at),
            deadline_rule=deadline_rule,
            status=status,
            version=1,
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        flush_or_conflict(self._session, f"ticket {ref or draft.customer!r}")
        return ticket_from_row(row)

    def get(self, ticket_id: int) -> Ticket:
        return ticket_from_row(self._row(ticket_id))

    def get_many(self, ticket_ids: Collection[int]) -> dict[int, Ticket]:
        """The tickets of ``ticket_ids`` by id, in one query per thousand (a plan's visits);
        ``NotFoundError`` if one is missing."""
        wanted = sorted(set(ticket_ids))
        found: dict[int, Ticket] = {}
        for start in range(0, len(wanted), 1000):
            chunk = wanted[start : start + 1000]
            rows = self._session.scalars(select(TicketRow).where(TicketRow.id.in_(chunk)))
            found.update((row.id, ticket_from_row(row)) for row in rows)
        missing = [t for t in wanted if t not in found]
        if missing:
            raise NotFoundError("ticket", missing[0])
        return found

    def get_by_source_ref(self, ref: str) -> Ticket | None:
        row = self._session.scalars(select(TicketRow).where(TicketRow.source_ref == ref)).first()
        return ticket_from_row(row) if row is not None else None

    def list(
        self,
        office_code: str | Collection[str] | None = None,
        status: TicketStatus | Collection[TicketStatus] | None = None,
        called_from: datetime | None = None,
        called_to: datetime | None = None,
    ) -> builtins.list[Ticket]:
        """Tickets matching every given filter, ordered by deadline then id.

        ``office_code`` and ``status`` take one value or a collection (e.g.
        ``PLANNABLE_STATUSES``); ``called_from`` is inclusive, ``called_to`` exclusive.
        """
        rows = self._session.scalars(_query(office_code, status, called_from, called_to))
        return [ticket_from_row(row) for row in rows]

    def list_with_times(
        self,
        office_code: str | Collection[str] | None = None,
        called_from: datetime | None = None,
        called_to: datetime | None = None,
    ) -> builtins.list[tuple[Ticket, ActualTimes]]:
        """``list``'s tickets with the times their engineers reported, in one query (a
        report over thousands of tickets must not ask for each one's times)."""
        rows = self._session.scalars(_query(office_code, None, called_from, called_to))
        return [(ticket_from_row(row), _actual_times(row)) for row in rows]

    def change_status(
        self,
        ticket_id: int,
        target: TicketStatus,
        *,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> Ticket:
        """Move a ticket to ``target`` if the lifecycle allows it, and bump its version.

        ``expected_version`` is the version the caller last read: if the ticket has changed
        since, ``StaleVersionError`` is raised and nothing is written. ``at`` is when the
        engineer reported the change (default: now); it is recorded as the actual time of
        ``en_route``, ``on_site`` and ``fixed_on_site``/``carried_back``.

        The row is read with ``SELECT ... FOR UPDATE`` (PostgreSQL), and the update only
        applies if the version is still the one read, which also guards SQLite, where
        there are no row locks.
        """
        when = to_utc("at", at) if at is not None else self._clock()
        row = self._row(ticket_id, lock=True)
        if expected_version is not None and row.version != expected_version:
            raise StaleVersionError(
                "ticket", ticket_id, expected=expected_version, actual=row.version
            )
        values: dict[str, Any] = {
            "status": transition(row.status, target),
            "version": row.version + 1,
            "updated_at": self._clock(),
        }
        if target in _ACTUAL_TIME_COLUMN:
            values[_ACTUAL_TIME_COLUMN[target]] = when
        self._update_if_version(ticket_id, row.version, values)
        self._session.refresh(row)
        return ticket_from_row(row)

    def actual_times(self, ticket_id: int) -> ActualTimes:
        """The actual times engineers reported for a ticket (not part of ``Ticket``)."""
        return _actual_times(self._row(ticket_id))

    def _row(self, ticket_id: int, *, lock: bool = False) -> TicketRow:
        query = select(TicketRow).where(TicketRow.id == ticket_id)
        if lock:
            query = query.with_for_update()
        row = self._session.scalars(query.execution_options(populate_existing=True)).first()
        if row is None:
            raise NotFoundError("ticket", ticket_id)
        return row

    def _update_if_version(self, ticket_id: int, version: int, values: dict[str, Any]) -> None:
        statement = (
            update(TicketRow)
            .where(TicketRow.id == ticket_id, TicketRow.version == version)
            .values(values)
            .execution_options(synchronize_session=False)
        )
        result = cast(CursorResult[Any], self._session.execute(statement))
        if result.rowcount != 1:
            actual = self._session.scalar(
                select(TicketRow.version).where(TicketRow.id == ticket_id)
            )
            raise StaleVersionError("ticket", ticket_id, expected=version, actual=actual or 0)


def _query(
    office_code: str | Collection[str] | None,
    status: TicketStatus | Collection[TicketStatus] | None,
    called_from: datetime | None,
    called_to: datetime | None,
) -> Select[TicketRow]:
    query = select(TicketRow).order_by(TicketRow.deadline_at, TicketRow.id)
    query = _where_in(query, TicketRow.office_code, office_code, str)
    query = _where_in(query, TicketRow.status, status, TicketStatus)
    if called_from is not None:
        query = query.where(TicketRow.called_at >= to_utc("called_from", called_from))
    if called_to is not None:
        query = query.where(TicketRow.called_at < to_utc("called_to", called_to))
    return query


def _actual_times(row: TicketRow) -> ActualTimes:
    return ActualTimes(row.en_route_at, row.arrived_at, row.finished_at)


def _where_in(
    query: Select[TicketRow], column: Any, wanted: Any, single: type
) -> Select[TicketRow]:
    """Filter on one value or any of a collection of values (``None``: no filter)."""
    if wanted is None:
        return query
    if isinstance(wanted, single):
        return query.where(column == wanted)
    return query.where(column.in_(list(wanted)))


def _draft_columns(draft: TicketDraft) -> dict[str, Any]:
    return {
        "source_ref": draft.source_ref,
        "office_code": draft.office_code,
        "customer": draft.customer,
        "phone": draft.phone,
        "address": draft.address,
        "latitude": draft.site.latitude,
        "longitude": draft.site.longitude,
        "product_line": draft.product_line,
        "product_model": draft.product_model,
        "fault": draft.fault,
        "kind": draft.kind,
        "priority": draft.priority,
        "emergency": draft.emergency,
        "remote_failed": draft.remote_failed,
        "onsite_minutes": draft.onsite_minutes,
        "area_override": draft.area_override,
        "called_at": to_utc("called_at", draft.called_at),
    }


def ticket_from_row(row: TicketRow) -> Ticket:
    draft = TicketDraft(
        office_code=row.office_code,
        customer=row.customer,
        site=GeoPoint(row.latitude, row.longitude),
        called_at=row.called_at,
        product_line=row.product_line,
        fault=row.fault,
        address=row.address,
        phone=row.phone,
        product_model=row.product_model,
        kind=row.kind,
        priority=row.priority,
        emergency=row.emergency,
        remote_failed=row.remote_failed,
        onsite_minutes=row.onsite_minutes,
        area_override=row.area_override,
        source_ref=row.source_ref,
    )
    return Ticket(
        id=row.id,
        draft=draft,
        service_area=row.service_area,
        deadline=row.deadline_at,
        deadline_rule=row.deadline_rule,
        status=row.status,
        version=row.version,
    )
