"""Offices and engineers: reference data, written by seeding and read by every plan."""

from __future__ import annotations

import builtins
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.calendar import BusinessCalendar
from dispatch.domain import Engineer, GeoPoint, Office
from dispatch.errors import NotFoundError
from dispatch.store._common import flush_or_conflict
from dispatch.store.models import EngineerRow, OfficeRow


class OfficeRepository:
    """Offices with their business calendars."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def upsert(self, office: Office) -> Office:
        """Insert ``office``, or overwrite the stored office with the same code."""
        row = self._session.get(OfficeRow, office.code)
        if row is None:
            row = OfficeRow(code=office.code)
            self._session.add(row)
        _fill_office_row(row, office)
        flush_or_conflict(self._session, f"office {office.code!r}")
        return office

    def get(self, code: str) -> Office:
        row = self._session.get(OfficeRow, code)
        if row is None:
            raise NotFoundError("office", code)
        return office_from_row(row)

    def list(self) -> builtins.list[Office]:
        """All offices, ordered by code."""
        rows = self._session.scalars(select(OfficeRow).order_by(OfficeRow.code))
        return [office_from_row(row) for row in rows]


class EngineerRepository:
    """Field engineers, each attached to a home office."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def upsert(self, engineer: Engineer) -> Engineer:
        """Insert ``engineer``, or overwrite the stored engineer with the same id."""
        require_office(self._session, engineer.office_code)
        row = self._session.get(EngineerRow, engineer.id)
        if row is None:
            row = EngineerRow(id=engineer.id)
            self._session.add(row)
        _fill_engineer_row(row, engineer)
        flush_or_conflict(self._session, f"engineer {engineer.id!r}")
        return engineer

    def get(self, engineer_id: str) -> Engineer:
        row = self._session.get(EngineerRow, engineer_id)
        if row is None:
            raise NotFoundError("engineer", engineer_id)
        return engineer_from_row(row)

    def list(self, office_code: str | None = None) -> builtins.list[Engineer]:
        """Engineers ordered by id, optionally only those of one office."""
        query = select(EngineerRow).order_by(EngineerRow.id)
        if office_code is not None:
            query = query.where(EngineerRow.office_code == office_code)
        return [engineer_from_row(row) for row in self._session.scalars(query)]


def require_office(session: Session, code: str) -> None:
    """Raise ``NotFoundError`` unless the office ``code`` exists."""
    if session.get(OfficeRow, code) is None:
        raise NotFoundError("office", code)


def _fill_office_row(row: OfficeRow, office: Office) -> None:
    calendar = office.calendar
    row.name = office.name
    row.city = office.city
    row.region = office.region
    row.latitude = office.location.latitude
    row.longitude = office.location.longitude
    row.timezone = calendar.timezone
    row.opens = calendar.opens
    row.closes = calendar.closes
    row.working_days = sorted(calendar.working_days)
    row.holidays = _iso_dates(calendar.holidays)
    row.extra_working_days = _iso_dates(calendar.extra_working_days)
    row.holidays_known_through = calendar.holidays_known_through
    row.urban_radius_km = office.urban_radius_km
    row.suburban_radius_km = office.suburban_radius_km


def office_from_row(row: OfficeRow) -> Office:
    calendar = BusinessCalendar(
        timezone=row.timezone,
        opens=row.opens,
        closes=row.closes,
        working_days=frozenset(row.working_days),
        holidays=_parse_dates(row.holidays),
        extra_working_days=_parse_dates(row.extra_working_days),
        holidays_known_through=row.holidays_known_through,
    )
    return Office(
        code=row.code,
        name=row.name,
        city=row.city,
        region=row.region,
        location=GeoPoint(row.latitude, row.longitude),
        calendar=calendar,
        urban_radius_km=row.urban_radius_km,
        suburban_radius_km=row.suburban_radius_km,
    )


def _fill_engineer_row(row: EngineerRow, engineer: Engineer) -> None:
    location = engineer.location
    row.name = engineer.name
    row.office_code = engineer.office_code
    row.skills = sorted(engineer.skills)
    row.shift_start = engineer.shift_start
    row.shift_end = engineer.shift_end
    row.lunch_start = engineer.lunch_start
    row.lunch_minutes = engineer.lunch_minutes
    row.overtime_cap_minutes = engineer.overtime_cap_minutes
    row.latitude = location.latitude if location is not None else None
    row.longitude = location.longitude if location is not None else None
    row.status = engineer.status


def engineer_from_row(row: EngineerRow) -> Engineer:
    location = None
    if row.latitude is not None and row.longitude is not None:
        location = GeoPoint(row.latitude, row.longitude)
    return Engineer(
        id=row.id,
        name=row.name,
        office_code=row.office_code,
        skills=frozenset(row.skills),
        shift_start=row.shift_start,
        shift_end=row.shift_end,
        lunch_start=row.lunch_start,
        lunch_minutes=row.lunch_minutes,
        overtime_cap_minutes=row.overtime_cap_minutes,
        location=location,
        status=row.status,
    )


def _iso_dates(days: frozenset[date]) -> list[str]:
    return [day.isoformat() for day in sorted(days)]


def _parse_dates(values: list[str]) -> frozenset[date]:
    return frozenset(date.fromisoformat(value) for value in values)
