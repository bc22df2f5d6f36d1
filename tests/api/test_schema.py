"""Property-based: every operation of the app's own OpenAPI, with schemathesis.

No generated request may produce a 5xx, and every response must conform to the schema
(status codes, content types, headers, bodies). Runs as an admin, so requests get past
auth. Not checked: whether schema-valid data is always accepted (the server's solve cap
and date-range rules are not in the schema) and whether pydantic's lax coercions (``"1"``
for ``true``) count as rejecting invalid data.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance
from sqlalchemy.orm import Session

from api.main import create_app
from api.settings import ApiSettings
from tests.api.conftest import UNLIMITED, Headers

APP = create_app(ApiSettings(database_url="sqlite://", **UNLIMITED))
"""Built at import so schemathesis can read its schema; pointed at the test database below.

The schema is read without starting the app (``from_asgi`` would run its lifespan, which
needs the database); schemathesis starts the lifespan at the first call, once per process.
"""

schema = schemathesis.openapi.from_dict(APP.openapi())
schema.app = APP


@pytest.fixture(autouse=True)
def on_test_database(database_url: str, session: Session, organisation: None) -> None:
    """The app on the suite's database with the organisation loaded, so the schema's
    examples (office ``SH``, scope ``SH``) go all the way through; solves are capped at
    one second to stay cheap."""
    APP.state.settings = ApiSettings(
        database_url=database_url, solve_seconds_default=1, solve_seconds_max=1
    )


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_the_schema_holds(case: schemathesis.Case, admin: Headers) -> None:
    case.call_and_validate(
        headers=admin, excluded_checks=[positive_data_acceptance, negative_data_rejection]
    )
