"""The persistence API the services use: one repository per aggregate.

Each repository works inside the caller's ``Session`` and only flushes; the caller
decides when the unit of work commits (see ``dispatch.store.database.session_scope``).
Repositories take and return domain values (``dispatch.domain``), never ORM rows.
"""

from __future__ import annotations

from dispatch.store.offices import EngineerRepository, OfficeRepository
from dispatch.store.plans import ALL_OFFICES, PlanRepository, scope_key
from dispatch.store.tickets import ActualTimes, TicketRepository

__all__ = [
    "ALL_OFFICES",
    "ActualTimes",
    "EngineerRepository",
    "OfficeRepository",
    "PlanRepository",
    "TicketRepository",
    "scope_key",
]
