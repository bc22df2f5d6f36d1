"""Options and parsers shared by the CLI's commands."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from dispatch.errors import InvalidInputError
from dispatch.times import check_day

HEAD_OFFICE_ZONE = ZoneInfo("Asia/Shanghai")

JsonFlag = Annotated[bool, typer.Option("--json", help="Stable machine-readable output.")]
DayOption = Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD; default today.")]


def parse_day(value: str | None) -> date:
    """A ``--date`` value between ``FIRST_DAY`` and ``LAST_DAY``; today at the head office
    when omitted."""
    if value is None:
        return datetime.now(HEAD_OFFICE_ZONE).date()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(f"--date must be YYYY-MM-DD, got {value!r}") from None
    try:
        return check_day(day, "--date")
    except InvalidInputError as error:
        raise InvalidInputError(f"--date {error}") from None
