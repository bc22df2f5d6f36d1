"""Persistence: SQLAlchemy models, Alembic migrations and the repositories."""

from __future__ import annotations

from dispatch.store.database import make_engine, session_factory, session_scope
from dispatch.store.migrate import upgrade
from dispatch.store.repository import (
    ALL_OFFICES,
    ActualTimes,
    EngineerRepository,
    OfficeRepository,
    PlanRepository,
    TicketRepository,
    scope_key,
)

__all__ = [
    "ALL_OFFICES",
    "ActualTimes",
    "EngineerRepository",
    "OfficeRepository",
    "PlanRepository",
    "TicketRepository",
    "make_engine",
    "scope_key",
    "session_factory",
    "session_scope",
    "upgrade",
]
