"""Who and where: the engineers and offices the routers and pages look up.

Thin reads, so that ``api/`` calls services only and never builds a repository itself.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from dispatch.domain import Engineer, Office
from dispatch.store.repository import EngineerRepository, OfficeRepository


def engineer(session: Session, engineer_id: str) -> Engineer:
    """The engineer, or ``NotFoundError``."""
    return EngineerRepository(session).get(engineer_id)


def offices(session: Session) -> list[Office]:
    """Every office, in the store's order."""
    return list(OfficeRepository(session).list())


def office_zone(session: Session, office_code: str) -> ZoneInfo:
    """The office's time zone: what its engineers' clocks say."""
    return OfficeRepository(session).get(office_code).calendar.zone()


def office(session: Session, office_code: str) -> Office:
    """The office, or ``NotFoundError``."""
    return OfficeRepository(session).get(office_code)


def office_zones(session: Session) -> dict[str, ZoneInfo]:
    """Every office's time zone by office code."""
    return {o.code: o.calendar.zone() for o in OfficeRepository(session).list()}


def engineer_zone(session: Session, engineer_id: str) -> tuple[Engineer, ZoneInfo]:
    """The engineer and their office's time zone (``NotFoundError`` if either is missing)."""
    found = engineer(session, engineer_id)
    return found, office_zone(session, found.office_code)


def engineers(session: Session, office_code: str) -> list[Engineer]:
    """The office's engineers, ordered by id."""
    return EngineerRepository(session).list(office_code=office_code)
