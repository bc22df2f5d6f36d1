"""Small domain values for the store tests; pass keyword changes to vary a field."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from dispatch.calendar import BusinessCalendar
from dispatch.domain import (
    DeadlineRule,
    Engineer,
    GeoPoint,
    Office,
    ServiceArea,
    TicketDraft,
    WorkKind,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALLED_AT = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
URBAN: dict[str, Any] = {"area": ServiceArea.URBAN, "deadline_rule": DeadlineRule.SIX_WORKING_HOURS}


def office(code: str = "BJ", **changes: Any) -> Office:
    base = Office(
        code=code,
        name=f"{code} office",
        city="Beijing",
        region="North",
        location=GeoPoint(39.9042, 116.4074),
        calendar=BusinessCalendar(
            timezone="Asia/Shanghai",
            opens=time(9, 0),
            closes=time(18, 0),
            working_days=frozenset({0, 1, 2, 3, 4}),
            holidays=frozenset({date(2026, 10, 1), date(2026, 10, 2)}),
            extra_working_days=frozenset({date(2026, 10, 10)}),
        ),
        urban_radius_km=12.5,
        suburban_radius_km=55.0,
    )
    return replace(base, **changes)


def engineer(engineer_id: str = "E01", office_code: str = "BJ", **changes: Any) -> Engineer:
    base = Engineer(
        id=engineer_id,
        name=f"Engineer {engineer_id}",
        office_code=office_code,
        skills=frozenset({"printer", "server"}),
        shift_start=time(8, 30),
        shift_end=time(17, 30),
        lunch_start=time(12, 0),
        lunch_minutes=45,
        overtime_cap_minutes=90,
        location=GeoPoint(39.95, 116.30),
    )
    return replace(base, **changes)


def draft(office_code: str = "BJ", **changes: Any) -> TicketDraft:
    base = TicketDraft(
        office_code=office_code,
        customer="Acme Ltd",
        site=GeoPoint(39.91, 116.41),
        called_at=CALLED_AT,
        product_line="printer",
        fault="paper jam",
        address="1 Chang'an Ave",
        phone="010-12345678",
        product_model="P-100",
        kind=WorkKind.CONTRACT,
        priority=2,
        emergency=False,
        remote_failed=True,
        onsite_minutes=90,
        area_override=ServiceArea.URBAN,
    )
    return replace(base, **changes)
