"""The database schema as SQLAlchemy 2.0 typed models.

Rows, not domain values: ``dispatch.store.repository`` maps between the two. The
schema itself is created only by the Alembic migrations in ``migrations/versions``;
``tests/store/test_migrations.py`` checks that these models and the migrations agree.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from dispatch.domain import (
    DeadlineRule,
    EngineerStatus,
    ServiceArea,
    TicketStatus,
    WorkKind,
)
from dispatch.store.types import UTCDateTime, enum_column_type

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Deterministic constraint names, so migrations can refer to them on every backend."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class OfficeRow(Base):
    """An office with its business calendar flattened into columns."""

    __tablename__ = "offices"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(100))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    timezone: Mapped[str] = mapped_column(String(64))
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)
    working_days: Mapped[list[int]] = mapped_column(JSON)
    """ISO weekday numbers with Monday = 0, sorted."""
    holidays: Mapped[list[str]] = mapped_column(JSON)
    """ISO dates (YYYY-MM-DD), sorted."""
    extra_working_days: Mapped[list[str]] = mapped_column(JSON)
    """ISO dates of make-up working days on a weekend (调休), sorted."""
    holidays_known_through: Mapped[date | None] = mapped_column(Date)
    """The last day the holiday source covers; later days follow the weekday rule."""
    urban_radius_km: Mapped[float] = mapped_column(Float)
    suburban_radius_km: Mapped[float] = mapped_column(Float)


class EngineerRow(Base):
    __tablename__ = "engineers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"), index=True)
    skills: Mapped[list[str]] = mapped_column(JSON)
    """Product lines the engineer is certified on, sorted."""
    shift_start: Mapped[time] = mapped_column(Time)
    shift_end: Mapped[time] = mapped_column(Time)
    lunch_start: Mapped[time] = mapped_column(Time)
    lunch_minutes: Mapped[int] = mapped_column(Integer)
    overtime_cap_minutes: Mapped[int] = mapped_column(Integer)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    status: Mapped[EngineerStatus] = mapped_column(enum_column_type(EngineerStatus))


class TicketRow(Base):
    """A service request: the intake draft, its deadline, status and reported actual times."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index(None, "office_code", "status"),
        Index(None, "called_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_ref: Mapped[str | None] = mapped_column(String(100), unique=True)
    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"))
    customer: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(50))
    address: Mapped[str] = mapped_column(String(500))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    product_line: Mapped[str] = mapped_column(String(100))
    product_model: Mapped[str] = mapped_column(String(100))
    fault: Mapped[str] = mapped_column(Text)
    kind: Mapped[WorkKind] = mapped_column(enum_column_type(WorkKind))
    priority: Mapped[int] = mapped_column(Integer)
    emergency: Mapped[bool] = mapped_column(Boolean)
    remote_failed: Mapped[bool] = mapped_column(Boolean)
    onsite_minutes: Mapped[int] = mapped_column(Integer)
    area_override: Mapped[ServiceArea | None] = mapped_column(enum_column_type(ServiceArea))
    service_area: Mapped[ServiceArea] = mapped_column(enum_column_type(ServiceArea))
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_rule: Mapped[DeadlineRule] = mapped_column(enum_column_type(DeadlineRule))
    called_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[TicketStatus] = mapped_column(enum_column_type(TicketStatus))
    version: Mapped[int] = mapped_column(Integer)
    """Bumped on every change; writers pass the version they read (optimistic locking)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    en_route_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PlanRow(Base):
    """One version of the plan of a scope (canonical office list or ``ALL``) for a day."""

    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("scope", "plan_date", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(500))
    plan_date: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    kpis: Mapped[dict[str, Any]] = mapped_column(JSON)
    job_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    """The solve job that stored this version (unique: one plan per job, however often
    the queue delivers it). No foreign key: jobs already point at their plan."""

    visits: Mapped[list[VisitRow]] = relationship(
        order_by="(VisitRow.engineer_id, VisitRow.sequence)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    unassigned: Mapped[list[UnassignedRow]] = relationship(
        order_by="UnassignedRow.ticket_id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class VisitRow(Base):
    """A stop of an engineer's route in one plan."""

    __tablename__ = "visits"
    __table_args__ = (
        UniqueConstraint("plan_id", "engineer_id", "sequence"),
        Index(None, "ticket_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    engineer_id: Mapped[str] = mapped_column(ForeignKey("engineers.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    arrival_at: Mapped[datetime] = mapped_column(UTCDateTime)
    departure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    travel_minutes: Mapped[int] = mapped_column(Integer)
    travel_km: Mapped[float] = mapped_column(Float)


class UnassignedRow(Base):
    """A ticket a plan could not place, with the reason the planner gave."""

    __tablename__ = "unassigned"

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
    )
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)


class UserRow(Base):
    """An API user: a role, what it is bound to, and the SHA-256 of its bearer token."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    engineer_id: Mapped[str | None] = mapped_column(ForeignKey("engineers.id"))
    offices: Mapped[list[str]] = mapped_column(JSON)
    """Office codes a dispatcher works for, sorted; empty for other roles."""
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """Hex SHA-256 of the token; the token itself is shown once and never stored."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    token_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    """The token is refused from then on; ``dispatch users rotate`` issues a new one."""
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Set by ``dispatch users revoke``: the token is refused (until rotated)."""


class SolveJobRow(Base):
    """A requested solve: queued, run by a worker process, ended with a plan or a reason."""

    __tablename__ = "solve_jobs"
    __table_args__ = (Index(None, "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(500))
    plan_date: Mapped[date] = mapped_column(Date)
    seconds: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """A re-plan's "now": what is done by then stays done."""
    status: Mapped[str] = mapped_column(String(32))
    attempt: Mapped[int] = mapped_column(Integer)
    progress: Mapped[dict[str, Any]] = mapped_column(JSON)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))
    active_key: Mapped[str | None] = mapped_column(String(600), unique=True)
    """``scope|date`` while queued or running, NULL after: one live solve per scope and day."""
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    worker: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    """While running on a queue worker: until when the worker holds the job. A worker
    renews it; once it has passed, the job is retried or failed."""


class IdempotencyKeyRow(Base):
    """A client's ``Idempotency-Key`` on ticket intake and the ticket it created."""

    __tablename__ = "idempotency_keys"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SurveyRow(Base):
    """A customer's satisfaction survey of a closed call (004 Art. 23–24): one per ticket.

    Four ratings (attitude, technique, arrival time, follow-through), each 1 (dissatisfied)
    to 4 (very satisfied); the engineer is the one the published plan sent.
    """

    __tablename__ = "surveys"
    __table_args__ = (Index(None, "office_code"),)

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"))
    engineer_id: Mapped[str | None] = mapped_column(ForeignKey("engineers.id"))
    attitude: Mapped[int] = mapped_column(Integer)
    technique: Mapped[int] = mapped_column(Integer)
    arrival_time: Mapped[int] = mapped_column(Integer)
    follow_through: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
