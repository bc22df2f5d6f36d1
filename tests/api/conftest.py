"""The API on the suite's migrated database: the app, users with tokens, a small world.

Every fixture here depends on ``session``, so all rows are deleted after each test.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.main import create_app
from api.settings import ApiSettings
from dispatch.domain import GeoPoint, Plan, Ticket, TicketDraft, Visit
from dispatch.services.auth import create_user
from dispatch.services.intake import register_ticket
from dispatch.services.publishing import publish_plan
from dispatch.store.repository import EngineerRepository, OfficeRepository, PlanRepository
from dispatch.store.users import Role
from fixtures.organisation import ENGINEERS, OFFICES

DAY = date(2026, 11, 23)
SHANGHAI = ZoneInfo("Asia/Shanghai")
Headers = dict[str, str]
MakeUser = Callable[..., Headers]


UNLIMITED: dict[str, Any] = {
    "rate_limit_per_address": 1e6,
    "rate_limit_per_token": 1e6,
    "rate_limit_failed_auth": 1e6,
}
"""Settings lifting the abuse limits: one test client sends many requests from one address
with few tokens; ``tests/api/test_abuse_limits.py`` tests the limits themselves."""


@pytest.fixture
def api_settings(database_url: str) -> ApiSettings:
    return ApiSettings(
        database_url=database_url,
        solve_seconds_default=1,
        solve_seconds_max=60,
        events_poll_seconds=0.1,
        **UNLIMITED,
        emergency_workers=0,  # one warm worker fewer per app: the suite runs on 2 cores;
        # the emergency slot has its own tests (test_runner_emergency.py)
    )


@pytest.fixture
def client(api_settings: ApiSettings, session: Session) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings)) as test_client:
        yield test_client


@pytest.fixture
def organisation(session: Session) -> None:
    load_organisation(session)


def load_organisation(session: Session) -> None:
    """The 15 offices and 16 engineers of the fixtures, committed."""
    offices = OfficeRepository(session)
    for office in OFFICES:
        offices.upsert(office)
    engineers = EngineerRepository(session)
    for engineer in ENGINEERS:
        engineers.upsert(engineer)
    session.commit()


@pytest.fixture
def make_user(session: Session, organisation: None) -> MakeUser:
    """``make_user(Role.DISPATCHER, offices=["SH"])`` -> Authorization headers."""

    def make(role: Role, *, engineer_id: str | None = None, offices: Any = ()) -> Headers:
        _, token = create_user(
            session, name=f"{role.value} user", role=role, engineer_id=engineer_id, offices=offices
        )
        session.commit()
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def dispatcher(make_user: MakeUser) -> Headers:
    return make_user(Role.DISPATCHER, offices=["SH"])


@pytest.fixture
def admin(make_user: MakeUser) -> Headers:
    return make_user(Role.ADMIN)


def ticket_body(**overrides: Any) -> dict[str, Any]:
    """A valid intake body for a site in central Shanghai."""
    body: dict[str, Any] = {
        "office": "SH",
        "customer": "Pudong Metro Line 2",
        "address": "1 Century Ave",
        "latitude": 31.2304,
        "longitude": 121.4737,
        "called_at": "2026-11-23T09:30:00+08:00",
        "product_line": "video-surveillance",
        "fault": "no picture",
    }
    return body | overrides


def add_ticket(
    session: Session, *, lat: float = 31.2304, called_at: datetime | None = None
) -> Ticket:
    """Register a Shanghai call (default: 09:00 of the test day) through the intake service."""
    draft = TicketDraft(
        office_code="SH",
        customer=f"customer at {lat}",
        site=GeoPoint(lat, 121.4737),
        called_at=called_at or datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI),
        product_line="video-surveillance",
        fault="no picture",
        onsite_minutes=60,
    )
    ticket = register_ticket(session, draft)
    session.commit()
    return ticket


def publish_route(session: Session, tickets: list[Ticket], engineer_id: str) -> Plan:
    """Store and publish a hand-made SH plan routing ``tickets`` to one engineer."""
    visits = [
        Visit(t.id, engineer_id, n, t.deadline, t.deadline, t.deadline)
        for n, t in enumerate(tickets, start=1)
    ]
    plan = PlanRepository(session).add(["SH"], DAY, visits=visits)
    publish_plan(session, plan.id)
    session.commit()
    return plan


def wait_for_job(
    client: TestClient, job_id: int, headers: Headers, *, until: Callable[[Any], bool]
) -> dict[str, Any]:
    """Poll the job until ``until(job)`` holds (bounded, so a hang fails the test)."""
    for _ in range(600):
        job: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
        if until(job):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} never reached the expected state: {job}")


def finished(job: dict[str, Any]) -> bool:
    return job["status"] not in ("queued", "running")
