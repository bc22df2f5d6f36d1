"""The dispatcher's sentence is worded from the reason's figures, which the plan stores."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from dispatch.calendar import BusinessCalendar
from dispatch.domain import Engineer, GeoPoint, Office, TicketDraft
from dispatch.services.intake import register_ticket
from dispatch.services.planning import plan_day
from dispatch.store.repository import EngineerRepository, OfficeRepository
from solver import SolveParams

SHANGHAI = ZoneInfo("Asia/Shanghai")
CENTRE = GeoPoint(31.2304, 121.4737)
QUICK = SolveParams(time_limit_s=2.0, seed=1, solution_limit=200, workers=1)


def _busy_day(session: Session) -> None:
    """Two engineers and more calls than their two days hold."""
    OfficeRepository(session).upsert(
        Office("TS", "Test office", "Shanghai", "East", CENTRE, BusinessCalendar())
    )
    for engineer_id in ("E1", "E2"):
        engineer = Engineer(engineer_id, f"Engineer {engineer_id}", "TS", frozenset({"ups"}))
        EngineerRepository(session).upsert(engineer)
    for slot in range(24):
        site = GeoPoint(CENTRE.latitude + (2 + slot) / 111.0, CENTRE.longitude)
        called = datetime(2026, 11, 23, 9 + slot // 4, 10 * (slot % 4), tzinfo=SHANGHAI)
        draft = TicketDraft(
            "TS", "A customer", site, called, "ups", "down", priority=slot % 3, onsite_minutes=120
        )
        register_ticket(session, draft)


def _says_its_figures(code: str, message: str, figures: dict[str, Any]) -> None:
    trial = figures.get("trial")
    if isinstance(trial, dict):
        assert f"Engineer {trial['engineer_id']} ({trial['engineer_id']})" in message
        assert f"{trial['extra_distance'] / 1000:+.1f} km" in message
        assert f"plan cost {trial['objective_delta']:+,}" in message
        for delay in trial["delays"]:
            assert f"ticket {delay['job_id']} " in message
    if code == "dropped_for_higher_priority":
        served = figures["served"]
        assert (", ".join(served) if len(served) <= 6 else f"{len(served)} tickets") in message
    if code == "cannot_arrive_in_time" and figures["engineer_id"]:
        assert f"({figures['engineer_id']})" in message
        assert "breaks on the way included" in message


def test_every_stored_reason_has_its_figures_and_says_them(session: Session) -> None:
    _busy_day(session)
    plan = plan_day(session, scope="TS", day=date(2026, 11, 23), params=QUICK)
    reasons = plan.kpis["reasons"]
    assert isinstance(reasons, dict)
    late = {str(v.ticket_id) for v in plan.visits if not v.on_time}
    unassigned = {str(ticket_id) for ticket_id, _ in plan.unassigned}
    assert late | unassigned and set(reasons) == late | unassigned
    for reason in reasons.values():
        assert reason["figures"] is not None
        _says_its_figures(reason["code"], reason["message"], reason["figures"])
