"""The board's data for its two scripts, as JSON in the page (``<script type=
"application/json">``, which the browser never runs): the Leaflet map's points and
lines, and the timeline rows for the vis-timeline view.

Both are read from the service's ``Board`` (``dispatch/services/board.py``,
``timeline.py``); nothing here decides what is late or where a bar goes.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from dispatch.services.board import Board
from dispatch.services.timeline import DAY_FROM, HOURS_SHOWN, Row

BACKGROUND = ("night", "lunch")
"""Bars the vis-timeline view draws as a row's background, not as an item."""


def map_data(view: Board) -> dict[str, Any]:
    """Offices and sites (latitude, longitude, kind, label) and each engineer's route."""
    return {
        "points": [[p.latitude, p.longitude, p.kind, p.label] for p in view.points],
        "lines": [{"label": line.label, "points": line.points} for line in view.lines],
    }


def _clock(days: tuple[date, date], percent: float, *, end: bool) -> str:
    """The local wall-clock time a timeline position stands for (``2026-03-02T08:30``).

    50 % is both the first day's last hour and the second day's first: an end reads it
    as the first, a start as the second.
    """
    band = int(percent > 50.0 if end else percent >= 50.0)
    minutes = round((percent - 50.0 * band) / 50.0 * HOURS_SHOWN * 60)
    moment = datetime.combine(days[band], time(DAY_FROM)) + timedelta(minutes=minutes)
    return moment.isoformat(timespec="minutes")


def _items(row: Row) -> list[list[Any]]:
    days = row.route.days
    return [
        [
            bar.kind,
            _clock(days, bar.left, end=False),
            _clock(days, bar.left + bar.width, end=True),
            bar.label,
        ]
        for bar in row.bars
    ]


def vis_timeline_data(view: Board) -> dict[str, Any]:
    """One group per engineer with its bars as (kind, start, end, label) on the local clock,
    and the two days shown (the hours outside ``DAY_FROM``-``DAY_TO`` are hidden)."""
    days = view.rows[0].route.days if view.rows else (view.day, view.day + timedelta(days=1))
    return {
        "days": [d.isoformat() for d in days],
        "from": f"{DAY_FROM:02d}:00",
        "to": f"{DAY_FROM + HOURS_SHOWN:02d}:00",
        "groups": [
            {
                "id": row.route.engineer_id,
                "name": row.route.engineer,
                "office": row.route.office,
                "away": row.route.away,
                "items": _items(row),
            }
            for row in view.rows
        ],
    }
