"""Reports: the engineer's daily log by work kind, and 6 h / 7 h / 36 h compliance."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dispatch.domain import Ticket, TicketStatus
from dispatch.errors import NotFoundError
from dispatch.services.reports import compliance, engineer_daily, office_kpis
from dispatch.services.tickets import report_status
from tests.api.conftest import DAY, SHANGHAI, add_ticket, load_organisation, publish_route
from tests.statements import statements_reading


@pytest.fixture(autouse=True)
def organisation(session: Session) -> None:
    load_organisation(session)


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=SHANGHAI)


def _work(
    session: Session, ticket: Ticket, start: datetime, arrive: datetime, end: datetime
) -> None:
    for status, at in (
        (TicketStatus.EN_ROUTE, start),
        (TicketStatus.ON_SITE, arrive),
        (TicketStatus.FIXED_ON_SITE, end),
    ):
        report_status(session, ticket.id, status, expected_version=None, at=at)
    session.commit()


def test_the_daily_log_counts_reported_hours_to_the_jobs_kind(session: Session) -> None:
    ticket = add_ticket(session)
    publish_route(session, [ticket], "E01")
    _work(session, ticket, _at(10), _at(10, 30), _at(11, 30))
    log = engineer_daily(session, "E01", DAY)
    assert log.shift_hours == 8.0
    assert log.actual == {"A": 0.0, "B": 0.0, "C": 1.5, "D": 6.5}
    assert log.jobs == [
        {
            "ticket_id": ticket.id,
            "kind": "C",
            "planned_hours": 0.0,
            "actual_hours": 1.5,
            "onsite_hours": 1.0,
            "onsite_over_2h": False,
        }
    ]


def test_compliance_counts_on_time_late_and_overdue_arrivals(session: Session) -> None:
    on_time, late = add_ticket(session), add_ticket(session, lat=31.3)
    overdue = add_ticket(session, called_at=datetime(2026, 11, 16, 9, tzinfo=SHANGHAI))
    publish_route(session, [on_time, late], "E01")
    _work(session, on_time, _at(10), _at(10, 30), _at(11))
    hour = timedelta(hours=1)
    _work(session, late, late.deadline, late.deadline + hour, late.deadline + 2 * hour)
    report = compliance(
        session, ["SH"], date(2026, 11, 16), DAY, now=datetime(2026, 11, 24, tzinfo=UTC)
    )
    six = report.rules["6h"]
    assert (six.total, six.on_time, six.late, six.overdue, six.pending) == (3, 1, 1, 1, 0)
    assert {m["ticket_id"]: m["outcome"] for m in report.misses} == {
        late.id: "late",
        overdue.id: "overdue",
    }


def test_compliance_takes_calls_by_local_day_in_one_query(session: Session, engine: Engine) -> None:
    """The first and last minutes of the period count (UTC dates differ from Shanghai's);
    the minute before does not; the tickets and their times come in one statement."""
    first, last = date(2026, 11, 20), date(2026, 11, 21)
    inside = [
        add_ticket(session, called_at=datetime(2026, 11, 20, 0, 5, tzinfo=SHANGHAI)),
        add_ticket(session, called_at=datetime(2026, 11, 21, 23, 55, tzinfo=SHANGHAI)),
    ]
    add_ticket(session, called_at=datetime(2026, 11, 19, 23, 55, tzinfo=SHANGHAI))
    add_ticket(session, called_at=datetime(2026, 11, 22, 0, 5, tzinfo=SHANGHAI))
    with statements_reading(engine, "tickets") as queries:
        report = compliance(session, ["SH"], first, last, now=datetime(2026, 11, 30, tzinfo=UTC))
    assert report.rules["6h"].total == len(inside)
    assert {m["ticket_id"] for m in report.misses} == {t.id for t in inside}
    assert len(queries) == 1


def test_office_kpis_need_a_published_plan(session: Session) -> None:
    with pytest.raises(NotFoundError):
        office_kpis(session, "SH", DAY)
    ticket = add_ticket(session)
    plan = publish_route(session, [ticket], "E01")
    plan_id, kpis = office_kpis(session, "SH", DAY)
    assert plan_id == plan.id
    assert (kpis["assigned"], kpis["on_time"]) == (1, 1)
    assert set(kpis["engineers"]) == {"E01", "E02"}


def test_next_day_visits_stay_out_of_the_days_log_and_kpis(session: Session) -> None:
    today = add_ticket(session)
    tomorrow = add_ticket(session, lat=31.25, called_at=_at(17))
    assert tomorrow.deadline.astimezone(SHANGHAI).date() == DAY + timedelta(days=1)
    publish_route(session, [today, tomorrow], "E01")
    log = engineer_daily(session, "E01", DAY)
    assert [job["ticket_id"] for job in log.jobs] == [today.id]
    _, kpis = office_kpis(session, "SH", DAY)
    figures = kpis["engineers"]["E01"]
    assert (figures["date"], figures["jobs"]) == (DAY.isoformat(), 1)
    assert (figures["next_day"]["date"], figures["next_day"]["jobs"]) == ("2026-11-24", 1)
