"""``dispatch users``: API users and their bearer tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from dispatch.cli.errors import friendly_errors
from dispatch.cli.session import open_session
from dispatch.errors import InvalidInputError
from dispatch.services.auth import TOKEN_LIFETIME, create_user, revoke_token, rotate_token
from dispatch.store.users import Role

app = typer.Typer(help="API users and their bearer tokens.", no_args_is_help=True)
Days = Annotated[
    int, typer.Option("--days", min=1, max=3650, help="Days the new token is honoured.")
]
UserId = Annotated[int, typer.Option("--id", min=1, help="The user's id (printed by `add`).")]


@app.command("add")
@friendly_errors
def add(
    role: Annotated[str, typer.Option(help="dispatcher, engineer, emergency or admin.")],
    name: Annotated[str, typer.Option(help="Who holds the token.")],
    engineer: Annotated[
        str | None, typer.Option(help="The engineer id an engineer user is bound to.")
    ] = None,
    office: Annotated[
        list[str] | None, typer.Option(help="An office of a dispatcher (repeatable).")
    ] = None,
    days: Days = TOKEN_LIFETIME.days,
) -> None:
    """Create a user and print its token, once, as the last word of the last line."""
    roles = [r.value for r in Role]
    if role not in roles:
        raise InvalidInputError(f"--role must be one of {', '.join(roles)}, got {role!r}")
    with open_session() as session:
        user, token = create_user(
            session,
            name=name,
            role=Role(role),
            engineer_id=engineer,
            offices=office or (),
            valid_for=timedelta(days=days),
        )
    typer.echo(f"user {user.id} {user.name!r} ({user.role.value}) created")
    _show_token(token)


@app.command("revoke")
@friendly_errors
def revoke(user_id: UserId) -> None:
    """Refuse the user's token from now on (401); `rotate` issues a new one."""
    with open_session() as session:
        user = revoke_token(session, user_id)
    typer.echo(f"user {user.id} {user.name!r}: token revoked")


@app.command("rotate")
@friendly_errors
def rotate(user_id: UserId, days: Days = TOKEN_LIFETIME.days) -> None:
    """Give the user a new token (the old one is refused at once) and print it once."""
    with open_session() as session:
        user, token, expires_at = rotate_token(session, user_id, valid_for=timedelta(days=days))
    typer.echo(f"user {user.id} {user.name!r}: new token, expires {expires_at:%Y-%m-%d %H:%M} UTC")
    _show_token(token)


def _show_token(token: str) -> None:
    typer.echo(f"token (shown once, only its hash is stored): {token}")
