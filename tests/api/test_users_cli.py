"""``dispatch users add`` prints a working token once, as the last word of its last line."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dispatch.cli import app
from dispatch.services.auth import create_user
from dispatch.settings import get_settings
from dispatch.store.users import Role


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


def _add(cli: CliRunner, *extra: str) -> tuple[int, str]:
    """``dispatch users add`` a dispatcher of SH: its id and token."""
    command = ["users", "add", "--role", "dispatcher", "--name", "Zhao", "--office", "SH"]
    result = cli.invoke(app, [*command, *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    first, *_, last = result.stdout.strip().splitlines()
    return int(first.split()[1]), last.split()[-1]


def _status(client: TestClient, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return client.get("/api/v1/tickets", headers=headers).status_code


def test_a_revoked_token_gets_401(
    cli: CliRunner, client: TestClient, session: Session, organisation: None
) -> None:
    user_id, token = _add(cli)
    assert _status(client, token) == 200
    result = cli.invoke(app, ["users", "revoke", "--id", str(user_id)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert _status(client, token) == 401


def test_rotating_refuses_the_old_token_and_honours_the_new(
    cli: CliRunner, client: TestClient, session: Session, organisation: None
) -> None:
    user_id, old = _add(cli)
    result = cli.invoke(app, ["users", "rotate", "--id", str(user_id), "--days", "7"])
    assert result.exit_code == 0, result.output
    new = result.stdout.strip().splitlines()[-1].split()[-1]
    assert new != old
    assert _status(client, old) == 401
    assert _status(client, new) == 200


def test_an_expired_token_gets_401(
    client: TestClient, session: Session, organisation: None
) -> None:
    issued = datetime.now(UTC) - timedelta(days=8)
    _, expired = create_user(
        session, name="old", role=Role.ADMIN, valid_for=timedelta(days=7), now=issued
    )
    _, current = create_user(session, name="new", role=Role.ADMIN, valid_for=timedelta(days=7))
    session.commit()
    assert _status(client, expired) == 401
    assert _status(client, current) == 200


def test_unknown_users_and_bad_lifetimes_are_one_line_errors(
    cli: CliRunner, session: Session
) -> None:
    for command in (
        ["revoke", "--id", "999"],
        ["rotate", "--id", "999"],
        ["rotate", "--id", "1", "--days", "0"],
    ):
        result = cli.invoke(app, ["users", *command])
        assert result.exit_code == 2, (command, result.output)
        assert "Traceback" not in result.output
