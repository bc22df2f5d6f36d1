"""``dispatch users``: API users and their bearer tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from dispatch.cli.errors import friendly_errors
from dispatch.cli.session import open_session
from dispatch.errors import InvalidInputError
from dispatch.services.auth import create_user
from dispatch.store.users import Role

app = typer.Typer(help="API users and their bearer tokens.", no_args_is_help=True)


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
) -> None:
    """Create a user and print its token, once, as the last word of the last line."""
    roles = [r.value for r in Role]
    if role not in roles:
        raise InvalidInputError(f"--role must be one of {', '.join(roles)}, got {role!r}")
    with open_session() as session:
        user, token = create_user(
            session, name=name, role=Role(role), engineer_id=engineer, offices=office or ()
        )
    typer.echo(f"user {user.id} {user.name!r} ({user.role.value}) created")
    typer.echo(f"token (shown once, only its hash is stored): {token}")
