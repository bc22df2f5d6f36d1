"""The call form: what intake accepts, validated field by field (004 Art. 8).

One definition for every way a call comes in — the API's intake and re-plan requests,
``dispatch tickets add`` and ``dispatch solve`` problem files — so a rule about a field is
written once. Types are strict: ``true`` is not a latitude, ``12345`` is not a call time,
``0`` is not a boolean; a call time is ISO 8601 text with an offset, between
``dispatch.times.FIRST_DAY`` and ``LAST_DAY``; the product line is one of the catalogue's.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from dispatch.catalogue import PRODUCT_LINES
from dispatch.domain import GeoPoint, ServiceArea, TicketDraft, WorkKind
from dispatch.times import FIRST_DAY, LAST_DAY, check_instant

CALL_TIME_PATTERN = r"^20[0-9]{2}-"
"""The call-time range in the schema: years 2000 to 2099 (``dispatch.times``)."""


def iso_text_only(kind: type, pattern: str, expected: str) -> BeforeValidator:
    """Let through ``kind`` values (from Python callers) and text matching ``pattern``;
    pydantic alone would read ``12345`` or ``"0"`` as a time or day in 1970."""
    text = re.compile(pattern)

    def check(value: object) -> object:
        if isinstance(value, kind):
            return value
        if not isinstance(value, str) or not text.match(value):
            raise ValueError(f"must be {expected}")
        return value

    return BeforeValidator(check)


def whole_number(value: object) -> object:
    """JSON's integers (``3``, ``3.0``), not ``true`` or ``"3"``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a whole number")
    return value


def _in_range(value: datetime) -> datetime:
    return check_instant(value, "called_at")


def _catalogue_line(value: str) -> str:
    if value not in PRODUCT_LINES:
        raise ValueError(f"unknown product line {value!r}; known lines: {', '.join(PRODUCT_LINES)}")
    return value


Instant = Annotated[
    AwareDatetime,
    iso_text_only(
        datetime,
        r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}",
        "an ISO 8601 date-time such as 2026-11-23T09:30:00+08:00",
    ),
]
"""A time in a request: ISO 8601 text with a UTC offset."""
CallTime = Annotated[
    Instant,
    AfterValidator(_in_range),
    Field(
        description=f"ISO 8601 with a UTC offset, from {FIRST_DAY} to {LAST_DAY}",
        json_schema_extra={"pattern": CALL_TIME_PATTERN},
    ),
]
ProductLine = Annotated[
    str,
    AfterValidator(_catalogue_line),
    Field(json_schema_extra={"enum": list(PRODUCT_LINES)}),
]
Text = Annotated[str, Field(strict=True)]
WholeNumber = Annotated[int, BeforeValidator(whole_number)]


class CallForm(BaseModel):
    """A call as the office registers it; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")

    office: Text = Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")
    customer: Text = Field(min_length=1, max_length=200)
    latitude: float = Field(ge=-90, le=90, strict=True)
    longitude: float = Field(ge=-180, le=180, strict=True)
    called_at: CallTime
    product_line: ProductLine
    fault: Text = Field(min_length=1, max_length=2000)
    phone: Text = Field(default="", max_length=50)
    address: Text = Field(default="", max_length=500)
    product_model: Text = Field(default="", max_length=100)
    kind: Literal["A", "B", "C"] = "C"
    priority: WholeNumber = Field(default=0, ge=0, le=9)
    emergency: bool = Field(default=False, strict=True)
    remote_failed: bool = Field(default=False, strict=True)
    onsite_minutes: WholeNumber = Field(default=120, ge=1, le=24 * 60)
    area_override: ServiceArea | None = None

    def to_draft(self) -> TicketDraft:
        return TicketDraft(
            office_code=self.office,
            customer=self.customer,
            site=GeoPoint(self.latitude, self.longitude),
            called_at=self.called_at,
            product_line=self.product_line,
            fault=self.fault,
            address=self.address,
            phone=self.phone,
            product_model=self.product_model,
            kind=WorkKind(self.kind),
            priority=self.priority,
            emergency=self.emergency,
            remote_failed=self.remote_failed,
            onsite_minutes=self.onsite_minutes,
            area_override=self.area_override,
        )
