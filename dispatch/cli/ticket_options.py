"""``dispatch tickets options ID``: the arrival promise at intake, on a terminal."""

from __future__ import annotations

from typing import Annotated

import typer

from dispatch.cli.errors import friendly_errors
from dispatch.cli.options import JsonFlag, parse_day
from dispatch.cli.output import Row, print_json, print_table
from dispatch.cli.session import open_session
from dispatch.services.arrival_options import MAX_OPTIONS, ArrivalOption, arrival_options

COLUMNS = [
    "rank",
    "engineer",
    "office",
    "eta",
    "deadline",
    "on_time",
    "minutes_late",
    "travel_minutes",
    "moves",
    "key",
]


def _row(option: ArrivalOption) -> Row:
    changes = [
        {
            "ticket_id": c.ticket_id,
            "engineer": c.engineer_id,
            "from_engineer": c.previous_engineer_id,
            "minutes_moved": c.minutes_moved,
            "minutes_late": c.minutes_late_after,
            "becomes_late": c.becomes_late,
        }
        for c in option.changes
    ]
    return {
        "rank": option.rank,
        "key": option.key,
        "engineer": option.engineer.id,
        "office": option.engineer.office_code,
        "sequence": option.sequence,
        "eta": option.eta.isoformat(),
        "deadline": option.deadline.isoformat(),
        "on_time": option.on_time,
        "minutes_late": option.minutes_late,
        "travel_minutes": option.travel_minutes,
        "added_cost": option.added_cost,
        "moves": ", ".join(f"#{c['ticket_id']} {c['minutes_moved']:+d} min" for c in changes),
        "changes": changes,
    }


@friendly_errors
def options(
    ticket_id: Annotated[int, typer.Argument(min=1, help="The ticket to find an arrival for.")],
    day: Annotated[str | None, typer.Option("--date", help="Plan day, YYYY-MM-DD.")] = None,
    count: Annotated[int, typer.Option(min=1, max=MAX_OPTIONS, help="How many options.")] = 3,
    as_json: JsonFlag = False,
) -> None:
    """The best ways to fit a call into its office's published plan (nothing is stored)."""
    with open_session() as session:
        report = arrival_options(
            session, ticket_id, day=parse_day(day) if day else None, count=count
        )
    rows = [_row(o) for o in report.options]
    if as_json:
        print_json({"ticket_id": ticket_id, "plan_id": report.plan.id, "options": rows})
    else:
        title = f"ticket {ticket_id}: {len(rows)} options in plan {report.plan.id}"
        print_table(title, rows, COLUMNS)
