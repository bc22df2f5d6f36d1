"""Options and parsers shared by the CLI's commands."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

HEAD_OFFICE_ZONE = ZoneInfo("Asia/Shanghai")

JsonFlag = Annotated[bool, typer.Option("--json", help="Stable machine-readable output.")]
DayOption = Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD; default today.")]


def parse_day(value: str | None) -> date:
    """A ``--date`` value; today at the head office when omitted."""
    if value is None:
        return datetime.now(HEAD_OFFICE_ZONE).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"--date must be YYYY-MM-DD, got {value!r}") from None
