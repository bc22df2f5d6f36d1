"""Property-based: every operation of the app's own OpenAPI, with schemathesis, all checks.

No generated request may produce a 5xx; every response conforms to the schema (status
codes, content types, headers, bodies); data the schema allows is accepted and data it
refuses is rejected (``positive_data_acceptance``, ``negative_data_rejection``): the
server's limits are in the schema (ranges, patterns, enums, the server's own solve cap).
Runs as an admin, so requests get past auth.

Three adjustments, for state or rules between fields that no JSON Schema can state: an
``Idempotency-Key`` is made unique per example (the examples share one database, and a key
reused with another body is a 422 by design); in positive examples a report's date range is
put in order and within ``MAX_COMPLIANCE_DAYS``, and a re-plan's urgent calls are put in
an office of its scope.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy.orm import Session

from api.main import create_app
from api.settings import ApiSettings
from dispatch.services.reports import MAX_COMPLIANCE_DAYS
from tests.api.conftest import UNLIMITED, Headers

EXAMPLES = 20
"""Per operation: every check over 18 operations took 35 s of CPU (SQLite, solver workers
included, load average 15 on 2 cores); more examples cost more than they find here."""

LIMITS = {"solve_seconds_default": 1, "solve_seconds_max": 1}
"""Solves capped at one second to stay cheap; the schema states the same cap."""

APP = create_app(ApiSettings(database_url="sqlite://", **LIMITS, **UNLIMITED))
"""Built at import so schemathesis can read its schema; pointed at the test database below.

The schema is read without starting the app (``from_asgi`` would run its lifespan, which
needs the database); schemathesis starts the lifespan at the first call, once per process.
"""

schema = schemathesis.openapi.from_dict(APP.openapi())
schema.app = APP
IDEMPOTENCY_KEY = "Idempotency-Key"
DATE_RANGES = {"/api/v1/reports/compliance", "/api/v1/reports/surveys"}
REPLANS = "/api/v1/replans"
_fresh = itertools.count()


@pytest.fixture(autouse=True)
def on_test_database(database_url: str, session: Session, organisation: None) -> None:
    """The app on the suite's database with the organisation loaded, so the schema's
    examples (office ``SH``, scope ``SH``) go all the way through."""
    APP.state.settings = ApiSettings(database_url=database_url, **LIMITS)


def _unique_idempotency_key(case: schemathesis.Case) -> None:
    key = case.headers.get(IDEMPOTENCY_KEY) if case.headers else None
    if isinstance(key, str) and 1 <= len(key) <= 200:
        case.headers[IDEMPOTENCY_KEY] = f"{next(_fresh)}-{key}"[:200]


def _forward_compliance_range(case: schemathesis.Case) -> None:
    meta = case.meta
    if case.path not in DATE_RANGES or not case.query or meta is None:
        return
    if not meta.generation.mode.is_positive:
        return
    try:
        start, end = sorted(date.fromisoformat(case.query[k]) for k in ("from", "to"))
    except (KeyError, TypeError, ValueError):
        return
    end = min(end, start + timedelta(days=MAX_COMPLIANCE_DAYS - 1))
    case.query["from"], case.query["to"] = start.isoformat(), end.isoformat()


def _replan_tickets_in_scope(case: schemathesis.Case) -> None:
    meta = case.meta
    body = case.body
    if case.path != REPLANS or meta is None or not meta.generation.mode.is_positive:
        return
    if not isinstance(body, dict) or not isinstance(body.get("scope"), str):
        return
    scope: str = body["scope"]
    if scope.startswith("region:"):
        body["scope"] = "ALL"
    elif scope != "ALL":
        for ticket in body.get("tickets", []):
            ticket["office"] = scope.split(",")[0]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_the_schema_holds(case: schemathesis.Case, admin: Headers) -> None:
    _unique_idempotency_key(case)
    _forward_compliance_range(case)
    _replan_tickets_in_scope(case)
    case.call_and_validate(headers=admin)
