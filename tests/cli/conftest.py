"""Run the real ``dispatch`` command against the suite's migrated test database."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from dispatch.cli import app
from dispatch.settings import get_settings

Invoke = Callable[..., Result]


@pytest.fixture
def dispatch_cli(
    database_url: str, session: Session, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Invoke]:
    """``dispatch_cli("offices", "--json")``: runs the CLI on the test database.

    Depends on ``session`` so every row the command wrote is deleted after the test.
    """
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, list(args), catch_exceptions=False)

    yield invoke
    get_settings.cache_clear()


def json_of(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)
