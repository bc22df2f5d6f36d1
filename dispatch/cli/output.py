"""How the CLI shows things: stable JSON for machines, rich tables for people."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from dispatch.domain import Engineer, Office, Ticket

Row = dict[str, Any]

_ISO_MINUTES = re.compile(r"^\d{4}-(\d{2}-\d{2})T(\d{2}:\d{2})[+-]\d{2}:\d{2}$")


def local_iso(instant: datetime, timezone: str) -> str:
    """ISO 8601 with the office's offset, to the minute: what a dispatcher reads."""
    return instant.astimezone(ZoneInfo(timezone)).isoformat(timespec="minutes")


def office_row(office: Office) -> Row:
    calendar = office.calendar
    return {
        "code": office.code,
        "name": office.name,
        "city": office.city,
        "region": office.region,
        "latitude": office.location.latitude,
        "longitude": office.location.longitude,
        "timezone": office.timezone,
        "opens": calendar.opens.isoformat(timespec="minutes"),
        "closes": calendar.closes.isoformat(timespec="minutes"),
        "urban_radius_km": office.urban_radius_km,
        "suburban_radius_km": office.suburban_radius_km,
    }


def engineer_row(engineer: Engineer) -> Row:
    return {
        "id": engineer.id,
        "name": engineer.name,
        "office": engineer.office_code,
        "skills": sorted(engineer.skills),
        "shift_start": engineer.shift_start.isoformat(timespec="minutes"),
        "shift_end": engineer.shift_end.isoformat(timespec="minutes"),
        "status": engineer.status.value,
    }


def ticket_row(ticket: Ticket, timezone: str) -> Row:
    draft = ticket.draft
    return {
        "id": ticket.id,
        "office": draft.office_code,
        "customer": draft.customer,
        "product_line": draft.product_line,
        "fault": draft.fault,
        "kind": draft.kind.value,
        "emergency": draft.emergency,
        "remote_failed": draft.remote_failed,
        "latitude": draft.site.latitude,
        "longitude": draft.site.longitude,
        "service_area": ticket.service_area.value,
        "called_at": local_iso(draft.called_at, timezone),
        "deadline": local_iso(ticket.deadline, timezone),
        "deadline_rule": ticket.deadline_rule.value,
        "status": ticket.status.value,
    }


def print_json(data: Sequence[Row] | Row) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def print_table(title: str, rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> None:
    """A table for people: local times shortened to ``MM-DD HH:MM`` (JSON keeps ISO 8601)."""
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column.replace("_", " "))
    for row in rows:
        table.add_row(*(_cell(row.get(column)) for column in columns))
    Console(width=160).print(table)


def _cell(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, str) and (match := _ISO_MINUTES.match(value)):
        return f"{match[1]} {match[2]}"
    return "" if value is None else str(value)
