"""Satisfaction surveys: one per closed call, four ratings at four levels, and the report."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.orm import Session

from dispatch.domain import Survey, Ticket, TicketStatus
from dispatch.errors import ConflictError, NotFoundError
from dispatch.services import tickets
from dispatch.services.surveys import record_survey, survey_report
from tests.services.test_arrival_options import DAY, SHANGHAI, _call, _published

S = TicketStatus
GOOD = {"attitude": 4, "technique": 4, "arrival_time": 3, "follow_through": 4}
NOW = datetime(2026, 11, 23, 18, 0, tzinfo=SHANGHAI)


def _close(session: Session, ticket_id: int) -> None:
    current = tickets.view(session, ticket_id).ticket.status
    steps = [S.DISPATCHED, S.EN_ROUTE, S.ON_SITE, S.FIXED_ON_SITE, S.CLOSED]
    for status in steps[steps.index(current) + 1 if current in steps else 0 :]:
        tickets.report_status(session, ticket_id, status, expected_version=None, at=NOW)


def test_a_closed_call_takes_one_survey(session: Session) -> None:
    plan = _published(session)
    ticket_id = plan.visits[0].ticket_id
    _close(session, ticket_id)
    survey = record_survey(session, ticket_id, GOOD, at=NOW, comment="quick and tidy")
    assert survey.engineer_id == plan.visits[0].engineer_id
    assert survey.points == pytest.approx((100 + 100 + 200 / 3 + 100) / 4, abs=0.1)
    with pytest.raises(ConflictError, match="already has a survey"):
        record_survey(session, ticket_id, GOOD, at=NOW)


def test_open_unknown_and_invalid_surveys_are_refused(session: Session) -> None:
    _published(session)
    open_call: Ticket = _call(session)
    with pytest.raises(ConflictError, match="only closed"):
        record_survey(session, open_call.id, GOOD, at=NOW)
    with pytest.raises(NotFoundError):
        record_survey(session, 99_999, GOOD, at=NOW)
    for bad in (GOOD | {"attitude": 5}, GOOD | {"technique": 0}, {"attitude": 4}):
        with pytest.raises(ValueError):
            Survey(1, "SH", None, bad, NOW)


def test_the_report_gives_coverage_and_distribution_per_office_and_engineer(
    session: Session,
) -> None:
    plan = _published(session)
    routed = [v for v in plan.visits if v.engineer_id == "E01"][:3]
    for visit in routed:
        _close(session, visit.ticket_id)
    record_survey(session, routed[0].ticket_id, GOOD, at=NOW)
    record_survey(session, routed[1].ticket_id, {q: 1 for q in GOOD}, at=NOW)
    report = survey_report(session, ["SH"], DAY, DAY)
    office, engineer = report["offices"]["SH"], report["engineers"]["E01"]
    assert office["closed"] == engineer["closed"] == len(routed)
    assert office["surveyed"] == 2 and office["coverage"] == round(2 / len(routed), 3)
    assert engineer["distribution"]["attitude"] == {"1": 1, "2": 0, "3": 0, "4": 1}
    assert engineer["distribution"]["arrival_time"] == {"1": 1, "2": 0, "3": 1, "4": 0}
    assert engineer["mean_points"] == pytest.approx((91.7 + 0.0) / 2, abs=0.1)
    assert engineer["meets_target"] is False
    with pytest.raises(ValueError):
        survey_report(session, ["SH"], DAY, DAY.replace(day=1))
