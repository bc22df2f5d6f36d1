"""``dispatch tickets``: the call register (004 Art. 8)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from pydantic import ValidationError

from dispatch.cli.errors import friendly_errors
from dispatch.cli.options import JsonFlag
from dispatch.cli.output import print_json, print_table, ticket_row
from dispatch.cli.session import open_session
from dispatch.cli.ticket_options import options
from dispatch.domain import TicketStatus
from dispatch.errors import InvalidInputError, NotFoundError
from dispatch.lifecycle import OPEN_STATUSES
from dispatch.services.call_form import CallForm
from dispatch.services.intake import register_ticket
from dispatch.store.repository import OfficeRepository, TicketRepository

app = typer.Typer(help="The call register: intake and listing.", no_args_is_help=True)
app.command("options")(options)

TABLE_COLUMNS = [
    "id",
    "office",
    "customer",
    "product_line",
    "service_area",
    "called_at",
    "deadline",
    "deadline_rule",
    "status",
]


def _called_at(value: str, timezone: str) -> datetime:
    """ISO 8601; without an offset the time is read in the office's time zone."""
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(f"--called-at must be ISO 8601, got {value!r}") from None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=ZoneInfo(timezone))
    return instant


def _choice(enum_name: str, value: str | None, members: list[str]) -> None:
    if value is not None and value not in members:
        raise InvalidInputError(f"--{enum_name} must be one of {', '.join(members)}, got {value!r}")


_OPTION_OF = {"latitude": "lat", "longitude": "lon", "product_line": "product"}
"""Call-form fields whose option has another name."""


def _form(fields: dict[str, Any]) -> CallForm:
    """The API's intake form, so the CLI refuses exactly what the API refuses."""
    try:
        return CallForm.model_validate(fields)
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "call"
        option = _OPTION_OF.get(name, name).replace("_", "-")
        raise InvalidInputError(f"--{option}: {first['msg']}", field=name) from None


@app.command("add")
@friendly_errors
def add(
    office: Annotated[str, typer.Option(help="Office code, e.g. SH.")],
    lat: Annotated[float, typer.Option(help="Site latitude (WGS84).")],
    lon: Annotated[float, typer.Option(help="Site longitude (WGS84).")],
    called_at: Annotated[str, typer.Option(help="When the customer called (ISO 8601).")],
    product: Annotated[str, typer.Option(help="Product line, as in engineers' skills.")],
    fault: Annotated[str, typer.Option(help="The fault as the customer describes it.")],
    customer: Annotated[str, typer.Option(help="Customer name.")] = "unnamed customer",
    address: Annotated[str, typer.Option(help="Site address.")] = "",
    phone: Annotated[str, typer.Option(help="Contact phone.")] = "",
    model: Annotated[str, typer.Option(help="Product model.")] = "",
    kind: Annotated[str, typer.Option(help="A paid, B contract, C free (004 Art. 6).")] = "C",
    emergency: Annotated[bool, typer.Option("--emergency", help="36 h emergency.")] = False,
    remote_failed: Annotated[
        bool, typer.Option("--remote-failed", help="Remote diagnosis failed: 36 h target.")
    ] = False,
    priority: Annotated[int, typer.Option(help="0 normal .. 9 highest.")] = 0,
    onsite_minutes: Annotated[int, typer.Option(help="Estimated time on site.")] = 120,
    area: Annotated[str | None, typer.Option(help="Override: urban|suburban|regional.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Register a call (the API's intake form and rules): prints the ticket with its
    service area and deadline."""
    with open_session() as session:
        home = OfficeRepository(session).get(office)
        form = _form(
            {
                "office": home.code,
                "customer": customer,
                "latitude": lat,
                "longitude": lon,
                "called_at": _called_at(called_at, home.timezone),
                "product_line": product,
                "fault": fault,
                "address": address,
                "phone": phone,
                "product_model": model,
                "kind": kind,
                "priority": priority,
                "emergency": emergency,
                "remote_failed": remote_failed,
                "onsite_minutes": onsite_minutes,
                "area_override": area,
            }
        )
        row = ticket_row(register_ticket(session, form.to_draft()), home.timezone)
    if as_json:
        print_json(row)
    else:
        print_table(f"ticket {row['id']} registered", [row], TABLE_COLUMNS)


@app.command("list")
@friendly_errors
def list_tickets(
    office: Annotated[str | None, typer.Option(help="Only this office's tickets.")] = None,
    status: Annotated[str | None, typer.Option(help="Only tickets in this status.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The call register, most urgent deadline first."""
    _choice("status", status, [s.value for s in TicketStatus])
    rows = _ticket_rows(office, TicketStatus(status) if status else None)
    if as_json:
        print_json(rows)
    else:
        print_table(f"{len(rows)} tickets", rows, TABLE_COLUMNS)


def _ticket_rows(office: str | None, status: TicketStatus | None) -> list[dict[str, object]]:
    with open_session() as session:
        zones = {o.code: o.timezone for o in OfficeRepository(session).list()}
        if office is not None and office not in zones:
            raise NotFoundError("office", office)
        found = TicketRepository(session).list(office_code=office, status=status)
        return [ticket_row(t, zones[t.office_code]) for t in found]


def show_open_tickets() -> None:
    """The open tickets of the register as a table (the demo's view)."""
    rows = [r for r in _ticket_rows(None, None) if TicketStatus(str(r["status"])) in OPEN_STATUSES]
    print_table(f"{len(rows)} open tickets", rows, TABLE_COLUMNS)
