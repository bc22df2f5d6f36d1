"""Carry-backs get their 72-hour replacement visit; long visits are flagged in the log."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from dispatch.domain import DeadlineRule, Ticket, TicketStatus
from dispatch.services import reports, tickets
from dispatch.services.followups import register_replacement, replaced_ticket, replacement_ref
from dispatch.services.planning import plan_day
from dispatch.services.publishing import publish_plan
from dispatch.store.repository import PlanRepository, TicketRepository
from tests.services.test_arrival_options import DAY, QUICK, SHANGHAI, _call, _published

S = TicketStatus


def _walk(session: Session, ticket: Ticket, *steps: tuple[TicketStatus, datetime]) -> None:
    for status, at in steps:
        tickets.report_status(session, ticket.id, status, expected_version=None, at=at)


def _at(hour: int, minute: int = 0, day: int = 23) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def _carry_back(session: Session, ticket: Ticket, at: datetime) -> Ticket:
    _walk(
        session,
        ticket,
        (S.DISPATCHED, at - timedelta(hours=2)),
        (S.EN_ROUTE, at - timedelta(hours=2)),
        (S.ON_SITE, at - timedelta(hours=1)),
        (S.CARRIED_BACK, at),
    )
    found = TicketRepository(session).get_by_source_ref(replacement_ref(ticket.id))
    assert found is not None
    return found


def test_a_carry_back_registers_the_replacement_due_in_72_hours(session: Session) -> None:
    _published(session)
    original = _call(session)
    replacement = _carry_back(session, original, _at(15, 10))
    assert replacement.deadline_rule is DeadlineRule.SEVENTY_TWO_HOURS
    assert replacement.called_at == _at(15, 10)
    assert replacement.deadline == _at(15, 10, day=26)
    assert replacement.draft.site == original.draft.site
    assert replacement.draft.product_line == original.draft.product_line
    assert replacement.draft.customer == original.draft.customer
    assert replacement.status is S.AWAITING_DISPATCH
    assert replaced_ticket(replacement) == original.id and replaced_ticket(original) is None
    again = register_replacement(session, TicketRepository(session).get(original.id), _at(16))
    assert again.id == replacement.id


def test_the_replacement_is_planned_and_reported_under_72h(session: Session) -> None:
    _published(session)
    original = _call(session)
    replacement = _carry_back(session, original, _at(15, 10))
    plan = plan_day(session, scope="SH", day=DAY, params=QUICK)
    assert replacement.id in {v.ticket_id for v in plan.visits}
    by_rule = plan.kpis["on_time_by_rule"]
    assert isinstance(by_rule, dict) and by_rule["72h"] == {"on_time": 1, "late": 0}
    publish_plan(session, plan.id)
    report = reports.compliance(session, ["SH"], DAY, DAY, now=_at(16))
    assert report.rules["72h"].total == 1 and report.rules["72h"].pending == 1
    _walk(
        session,
        replacement,
        (S.EN_ROUTE, _at(11, 0, day=27)),
        (S.ON_SITE, _at(12, 0, day=27)),
    )
    late = reports.compliance(session, ["SH"], DAY, DAY, now=_at(13, 0, day=27))
    assert late.rules["72h"].late == 1
    assert any(m["rule"] == "72h" and m["minutes_late"] > 0 for m in late.misses)


def test_a_visit_longer_than_two_hours_is_flagged_in_the_daily_log(session: Session) -> None:
    plan = _published(session)
    visits = sorted((v for v in plan.visits if v.engineer_id == "E01"), key=lambda v: v.sequence)
    assert len(visits) >= 2
    long_one, short_one = visits[0].ticket_id, visits[1].ticket_id
    for ticket_id, minutes in ((long_one, 150), (short_one, 45)):
        ticket = TicketRepository(session).get(ticket_id)
        arrived = ticket.called_at + timedelta(hours=1)  # reported times follow the call
        _walk(
            session,
            ticket,
            (S.EN_ROUTE, ticket.called_at + timedelta(minutes=5)),
            (S.ON_SITE, arrived),
            (S.FIXED_ON_SITE, arrived + timedelta(minutes=minutes)),
        )
    log = reports.engineer_daily(session, "E01", DAY)
    flags = {job["ticket_id"]: job["onsite_over_2h"] for job in log.jobs}
    assert flags[long_one] is True and flags[short_one] is False
    assert next(j for j in log.jobs if j["ticket_id"] == long_one)["onsite_hours"] == 2.5
    assert PlanRepository(session).get(plan.id).published
