"""``dispatch tickets options``: the arrival promise on a terminal."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dispatch.services.arrival_options import arrival_options
from tests.cli.conftest import Invoke, json_of
from tests.services.test_arrival_options import _call, _published


def test_options_print_the_same_ranking_as_the_service(
    dispatch_cli: Invoke, session: Session
) -> None:
    _published(session)
    ticket = _call(session)
    printed = json_of(dispatch_cli("tickets", "options", str(ticket.id), "--json", "--count", "2"))
    expected = arrival_options(session, ticket.id, count=2)
    assert printed["plan_id"] == expected.plan.id
    assert [o["key"] for o in printed["options"]] == [o.key for o in expected.options]
    assert [o["eta"] for o in printed["options"]] == [o.eta.isoformat() for o in expected.options]
    table = dispatch_cli("tickets", "options", str(ticket.id))
    assert table.exit_code == 0 and expected.options[0].engineer.id in table.output


def test_a_call_without_a_published_plan_is_a_clear_error(
    dispatch_cli: Invoke, session: Session
) -> None:
    _published(session)
    ticket = _call(session)
    result = dispatch_cli("tickets", "options", str(ticket.id), "--date", "2026-11-20")
    assert result.exit_code == 2 and "published plan" in result.output
    assert dispatch_cli("tickets", "options", "999999").exit_code == 2
