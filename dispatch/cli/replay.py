"""``dispatch replay``: plan past days again from the store's calls, and what-if staffing."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress

from dispatch.cli.errors import friendly_errors
from dispatch.cli.options import JsonFlag, parse_day
from dispatch.cli.output import print_json, print_table
from dispatch.cli.session import open_session
from dispatch.services.replay import ExtraEngineer, ReplayDay, ReplayReport, replay
from dispatch.services.replay_figures import Figures

COLUMNS = [
    "name",
    "served",
    "on_time_rate",
    "6h",
    "7h",
    "36h",
    "72h",
    "late_minutes",
    "travel_km",
    "travel_hours",
    "overtime_minutes",
    "utilisation",
]


def _row(name: str, figures: Figures, **extra: Any) -> dict[str, Any]:
    data = figures.as_dict()
    rates = {rule: figures.on_time_rate(rule) for rule in ("6h", "7h", "36h", "72h")}
    return {"name": name, **extra, **data, **rates}


def document(report: ReplayReport) -> dict[str, Any]:
    """The replay's figures as plain data (``--json``)."""
    return {
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "engineers": report.engineers,
        "open_at_end": report.open_at_end,
        "overdue_at_end": report.overdue_at_end,
        "total": report.total.as_dict(),
        "offices": {code: f.as_dict() for code, f in report.offices.items()},
        "days": [
            {
                "date": d.day.isoformat(),
                "planned": d.planned,
                "served": d.served,
                "carried_over": d.carried_over,
                "total": d.total.as_dict(),
                "offices": {code: f.as_dict() for code, f in sorted(d.offices.items())},
            }
            for d in report.days
        ],
    }


@friendly_errors
def replay_command(
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    add_engineer: Annotated[
        list[str] | None,
        typer.Option("--add-engineer", help="OFFICE:LINE[+LINE], e.g. SH:ups-power; repeat."),
    ] = None,
    seconds: Annotated[float, typer.Option(min=0.1, max=600, help="Solve time per day.")] = 2.0,
    as_json: JsonFlag = False,
) -> None:
    """Plan each working day in turn from the calls as they came in, carrying over what
    was not reached; report on-time per rule, lateness, travel, overtime, utilisation."""
    extra = [ExtraEngineer.parse(text) for text in add_engineer or []]
    first, last = parse_day(start), parse_day(end)
    console = Console(stderr=True)
    with open_session() as session, Progress(console=console, transient=True) as progress:
        task = progress.add_task("replaying", total=(last - first).days + 1)

        def advance(day: ReplayDay) -> None:
            progress.update(task, completed=(day.day - first).days + 1, description=str(day.day))

        report = replay(
            session, start=first, end=last, extra=extra, seconds=seconds, on_day=advance
        )
    if as_json:
        print_json(document(report))
        return
    days = [_row(d.day.isoformat(), d.total, carried_over=d.carried_over) for d in report.days]
    print_table("per day", days, [*COLUMNS, "carried_over"])
    offices = [_row(code, figures) for code, figures in report.offices.items()]
    print_table("per office", offices, COLUMNS)
    print_table(
        f"total ({report.engineers} engineers; {report.open_at_end} calls not reached, "
        f"{report.overdue_at_end} of them overdue)",
        [_row("total", report.total)],
        COLUMNS,
    )
