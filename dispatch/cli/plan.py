"""``dispatch plan``: optimise a day and print each engineer's route, the KPIs and reasons.

Engineers' hours are those of the planning day (``kpis.engineers``); of the next working
day, whose visits are tentative, only the job count is shown (the JSON has it all).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console

from dispatch.cli.errors import friendly_errors
from dispatch.cli.options import JsonFlag, parse_day
from dispatch.cli.output import print_json, print_table
from dispatch.cli.session import open_session
from dispatch.errors import InvalidInputError
from dispatch.services.plan_document import (
    EngineerFigures,
    Kpis,
    PlanDocument,
    load_plan_document,
)
from dispatch.services.planning import plan_day
from solver import SolveParams

STOP_COLUMNS = ["sequence", "ticket_id", "arrival", "deadline", "on_time", "customer", "fault"]
ENGINEER_COLUMNS = [
    "engineer",
    "date",
    "jobs",
    "A",
    "B",
    "C",
    "D",
    "utilisation",
    "overtime_minutes",
    "next_day_jobs",
]

Offices = Annotated[
    list[str] | None,
    typer.Option("--office", help="Office code; repeat for several. Default: all offices."),
]
Region = Annotated[str | None, typer.Option(help="Plan every office of a region instead.")]
Seconds = Annotated[float, typer.Option(min=0.1, max=600, help="Solver time limit.")]
SeedOption = Annotated[
    int,
    typer.Option(
        help="Solver seed. A time-limited plan also depends on the machine's speed: the same"
        " seed gives the same plan only under a solution limit (docs/solver.md)."
    ),
]


def scope_of(offices: list[str] | None, region: str | None) -> str:
    if offices and region:
        raise InvalidInputError("give --office or --region, not both")
    if region:
        return f"region:{region}"
    return ",".join(offices) if offices else "ALL"


def _print_human(document: PlanDocument) -> None:
    console = Console(width=160)
    console.print(
        f"[bold]Plan {document.plan_id}[/] v{document.version} for {document.date}, "
        f"scope {', '.join(document.scope)}"
    )
    for route in document.routes:
        title = f"{route.engineer_id} {route.engineer} ({route.office})"
        if route.stops:
            rows = [stop.model_dump(mode="json") for stop in route.stops]
            print_table(title, rows, STOP_COLUMNS)
        else:
            console.print(f"{title}: no visits")
    _print_kpis(console, document.kpis)
    unassigned = {item.ticket_id for item in document.unassigned}
    for ticket_id, reason in document.kpis.reasons.items():
        label = "[yellow]unassigned[/]" if ticket_id in unassigned else "[red]late[/]"
        console.print(f"{label} ticket {ticket_id}: {reason.message}")


def _print_kpis(console: Console, kpis: Kpis) -> None:
    console.print(
        f"jobs {kpis.jobs}: {kpis.on_time} on time, {len(kpis.late)} late, "
        f"{kpis.unassigned} unassigned; travel {kpis.travel_km} km / "
        f"{kpis.travel_hours} h, on site {kpis.onsite_hours} h"
    )
    by_rule = ", ".join(
        f"{rule}: {v.on_time} on time / {v.late} late" for rule, v in kpis.on_time_by_rule.items()
    )
    console.print(f"by rule: {by_rule}")
    for warning in kpis.warnings:
        console.print(f"[yellow]warning[/]: {warning}")
    if kpis.engineers:
        print_table(
            "hours by engineer (next-day jobs are tentative)",
            _engineer_rows(kpis.engineers),
            ENGINEER_COLUMNS,
        )


def _engineer_rows(engineers: dict[str, EngineerFigures]) -> list[dict[str, Any]]:
    """One row per engineer: the planning day's hours by kind A-D, and next-day jobs."""
    return [
        {
            "engineer": engineer_id,
            "date": day.date.isoformat(),
            "jobs": day.jobs,
            **day.hours_by_kind,
            "utilisation": day.utilisation,
            "overtime_minutes": day.overtime_minutes,
            "next_day_jobs": day.next_day.jobs if day.next_day else None,
        }
        for engineer_id, day in sorted(engineers.items())
    ]


def plan_command(
    day: Annotated[str, typer.Option("--date", help="The day to plan, YYYY-MM-DD.")],
    office: Offices = None,
    region: Region = None,
    seconds: Seconds = 10.0,
    seed: SeedOption = 0,
    as_json: JsonFlag = False,
) -> None:
    """Plan a day for an office, a region or the whole country; store it as a new version."""
    with open_session() as session:
        plan = plan_day(
            session,
            scope=scope_of(office, region),
            day=parse_day(day),
            params=SolveParams(time_limit_s=seconds, seed=seed),
        )
        document = load_plan_document(session, plan)
    if as_json:
        print_json(document.model_dump(mode="json"))
    else:
        _print_human(document)


plan = friendly_errors(plan_command)
