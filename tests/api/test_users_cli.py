"""``dispatch users add`` prints a working token once, as the last word of its last line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dispatch.cli import app
from dispatch.settings import get_settings


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_the_printed_token_authenticates(
    cli: CliRunner, client: TestClient, session: Session, organisation: None
) -> None:
    command = ["users", "add", "--role", "dispatcher", "--name", "Zhao", "--office", "SH"]
    result = cli.invoke(app, command, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1].split()[-1]
    response = client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_a_bad_role_is_a_one_line_error(cli: CliRunner, session: Session) -> None:
    result = cli.invoke(app, ["users", "add", "--role", "boss", "--name", "X"])
    assert result.exit_code == 2
    assert "--role must be one of" in result.output
