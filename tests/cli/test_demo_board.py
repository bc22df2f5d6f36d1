"""``dispatch demo`` ends with a working login for the board."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from dispatch.services.auth import authenticate
from dispatch.store.users import Role
from tests.cli.conftest import Invoke


def test_demo_prints_how_to_open_the_board_with_a_token_that_works(
    dispatch_cli: Invoke, session: Session
) -> None:
    result = dispatch_cli("demo", "--date", "2026-11-23", "--seconds", "0.5")
    assert result.exit_code == 0, result.output
    assert "/board?scope=ALL&date=2026-11-23" in result.output
    found = re.search(r"shown once\):\n  (\S+)", result.output)
    assert found is not None, result.output
    user = authenticate(session, found[1])
    assert user is not None and user.role is Role.EMERGENCY
