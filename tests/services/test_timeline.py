"""Where the board draws a visit, and what a route change is, from the plan document."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from dispatch.services.plan_diff import route_changes
from dispatch.services.plan_document import RouteDocument, Stop
from dispatch.services.timeline import timeline_row

URUMQI = ZoneInfo("Asia/Urumqi")
MONDAY, TUESDAY = date(2026, 11, 23), date(2026, 11, 24)


def _stop(ticket_id: int, arrival: datetime, minutes: int = 60, late: int = 0) -> Stop:
    return Stop(
        sequence=ticket_id,
        ticket_id=ticket_id,
        arrival=arrival,
        departure=arrival + timedelta(minutes=minutes),
        deadline=arrival + timedelta(minutes=30 - late),
        called_at=arrival - timedelta(hours=3),
        deadline_rule="6h",
        on_time=late == 0,
        minutes_late=late,
        office="UR",
        customer="乌鲁木齐客户",
        phone="",
        address="",
        latitude=43.8,
        longitude=87.6,
        product_line="video-surveillance",
        product_model="VS-400",
        fault="无图像",
        emergency=False,
        status="dispatched",
        ticket_version=1,
        travel_minutes=30,
        travel_km=20.0,
    )


def _route(*stops: Stop, office: str = "UR") -> RouteDocument:
    return RouteDocument(
        engineer_id="E16",
        engineer="艾力江",
        office=office,
        timezone="Asia/Urumqi",
        days=(MONDAY, TUESDAY),
        shift_start=time(9),
        shift_end=time(18),
        lunch_start=time(12),
        lunch_minutes=60,
        stops=list(stops),
    )


def test_bars_sit_at_the_local_wall_clock_of_the_engineers_office() -> None:
    visit = _stop(1, datetime(2026, 11, 23, 10, 0, tzinfo=URUMQI))
    row = timeline_row(_route(visit))
    work = next(bar for bar in row.bars if bar.kind == "work")
    assert (work.left, work.width) == (12.5, 3.125), "10:00-11:00 of 06:00-22:00, first half"
    travel = next(bar for bar in row.bars if bar.kind == "travel")
    assert travel.left + travel.width == work.left
    assert "乌鲁木齐客户" in work.label and "rule 6h" in work.label


def test_next_day_late_and_overtime_visits_are_marked() -> None:
    visit = _stop(2, datetime(2026, 11, 24, 17, 30, tzinfo=URUMQI), minutes=60, late=20)
    row = timeline_row(_route(visit, office="SH"))
    kinds = {bar.kind: bar for bar in row.bars if bar.ticket_id == 2}
    assert set(kinds) == {"travel", "late", "deadline", "overtime"}
    assert kinds["late"].left > 50.0, "on the second day's band"
    assert kinds["overtime"].width == pytest.approx(50.0 * 0.5 / 16, abs=0.01)
    assert _route(visit, office="SH").away and not _route(visit).away


def test_route_changes_name_added_removed_moved_and_shifted_stops() -> None:
    eight = datetime(2026, 11, 23, 8, 0, tzinfo=URUMQI)
    seen = _route(
        _stop(1, eight), _stop(2, eight + timedelta(hours=2)), _stop(3, eight + timedelta(hours=4))
    )
    now = [
        _stop(2, eight + timedelta(hours=1)),
        _stop(1, eight + timedelta(hours=2, minutes=10)),
        _stop(4, eight),
    ]
    changes = route_changes(5, seen, 6, now)
    assert (changes.added, changes.removed) == ((4,), (3,))
    assert set(changes.moved) == {1, 2}
    assert changes.eta_shifted == ((2, -60), (1, 130))
    assert route_changes(6, _route(*now), 6, now).any is False
