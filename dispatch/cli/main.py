"""``dispatch``: migrate, seed, look at the organisation and the call register."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from dispatch.cli import serve, tickets, users, worker
from dispatch.cli.errors import OneLineErrors, friendly_errors
from dispatch.cli.options import DayOption, JsonFlag, parse_day
from dispatch.cli.output import (
    engineer_row,
    office_row,
    print_json,
    print_table,
)
from dispatch.cli.plan import plan, plan_command
from dispatch.cli.replay import replay_command
from dispatch.cli.session import database_url, open_session
from dispatch.cli.solve import solve_file, vrptw
from dispatch.errors import InvalidInputError
from dispatch.services.auth import create_user
from dispatch.services.seeding import seed as seed_store
from dispatch.store.migrate import upgrade
from dispatch.store.repository import EngineerRepository, OfficeRepository
from dispatch.store.users import Role
from fixtures.generator import SCENARIOS

app = typer.Typer(
    cls=OneLineErrors,
    help="fsdispatch: field-service dispatch planning for the regional offices.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="The ticket store's schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(tickets.app, name="tickets")
app.add_typer(users.app, name="users")
app.command("serve")(serve.serve)
app.command("worker")(worker.worker)

app.command("plan")(plan)
app.command("solve")(solve_file)
app.command("vrptw")(vrptw)
app.command("replay")(replay_command)

Scenario = Annotated[str, typer.Option(help=f"One of: {', '.join(sorted(SCENARIOS))}.")]
Seed = Annotated[int, typer.Option(help="Generator seed: the same seed gives the same day.")]


def _check_scenario(name: str) -> None:
    if name not in SCENARIOS:
        raise InvalidInputError(
            f"unknown scenario {name!r}; choose one of {', '.join(sorted(SCENARIOS))}"
        )


@db_app.command("upgrade")
@friendly_errors
def db_upgrade() -> None:
    """Create or update the schema (Alembic migrations) on DATABASE_URL."""
    upgrade(database_url())
    typer.echo(f"database is up to date: {database_url()}")


@app.command()
@friendly_errors
def seed(
    scenario: Scenario = "normal",
    day: DayOption = None,
    seed: Seed = 7,
) -> None:
    """Load the 15 offices, 16 engineers and a generated day of calls (idempotent)."""
    _check_scenario(scenario)
    planning_day = parse_day(day)
    upgrade(database_url())
    with open_session() as session:
        report = seed_store(session, scenario=scenario, day=planning_day, seed=seed)
    typer.echo(
        f"seeded {scenario} for {planning_day}: {report.offices} offices, "
        f"{report.engineers} engineers, {report.tickets_added} new tickets "
        f"({report.tickets_already_there} already there)"
    )


@app.command()
@friendly_errors
def offices(as_json: JsonFlag = False) -> None:
    """The regional offices."""
    with open_session() as session:
        rows = [office_row(o) for o in OfficeRepository(session).list()]
    if as_json:
        print_json(rows)
    else:
        columns = ["code", "name", "city", "region", "timezone", "opens", "closes"]
        print_table(f"{len(rows)} offices", rows, columns)


@app.command()
@friendly_errors
def engineers(
    office: Annotated[str | None, typer.Option(help="Only this office's engineers.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The field engineers and their certified product lines."""
    with open_session() as session:
        rows = [engineer_row(e) for e in EngineerRepository(session).list(office_code=office)]
    if as_json:
        print_json(rows)
    else:
        columns = ["id", "name", "office", "skills", "shift_start", "shift_end", "status"]
        print_table(f"{len(rows)} engineers", rows, columns)


@app.command()
@friendly_errors
def demo(
    day: DayOption = None,
    scenario: Scenario = "normal",
    seed: Seed = 7,
    seconds: Annotated[float, typer.Option(min=0.1, max=600, help="Solver time limit.")] = 10.0,
) -> None:
    """Migrate, seed a scenario, show the day's tickets, then plan the whole country."""
    planning_day = parse_day(day)
    _check_scenario(scenario)
    upgrade(database_url())
    with open_session() as session:
        report = seed_store(session, scenario=scenario, day=planning_day, seed=seed)
    typer.echo(f"{report.offices} offices, {report.engineers} engineers, day {planning_day}")
    tickets.show_open_tickets()
    plan_command(day=planning_day.isoformat(), seconds=seconds)
    _invite_to_the_board(planning_day)


def _invite_to_the_board(day: date) -> None:
    """Create a demo login for the board and say how to open it.

    The demo user has the emergency team's role: a dispatcher sees only their offices,
    and the demo plans the whole country.
    """
    with open_session() as session:
        _, token = create_user(session, name="demo dispatcher", role=Role.EMERGENCY)
    typer.echo(
        "\nOpen the board: run `dispatch serve`, go to http://127.0.0.1:8000/login and paste"
        f" this demo token (shown once):\n  {token}\nthen pick the day {day.isoformat()}"
        f" (http://127.0.0.1:8000/board?scope=ALL&date={day.isoformat()})."
    )
