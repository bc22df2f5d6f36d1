"""The call form: what intake accepts, validated field by field (004 Art. 8).

One definition for every way a call comes in — the API's intake and re-plan requests and
``dispatch solve`` problem files — so a rule about a field is written once.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from dispatch.domain import GeoPoint, ServiceArea, TicketDraft, WorkKind


class CallForm(BaseModel):
    """A call as the office registers it; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")

    office: str = Field(min_length=1, max_length=16)
    customer: str = Field(min_length=1, max_length=200)
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    called_at: AwareDatetime
    product_line: str = Field(min_length=1, max_length=100)
    fault: str = Field(min_length=1, max_length=2000)
    phone: str = Field(default="", max_length=50)
    address: str = Field(default="", max_length=500)
    product_model: str = Field(default="", max_length=100)
    kind: Literal["A", "B", "C"] = "C"
    priority: int = Field(default=0, ge=0, le=9)
    emergency: bool = False
    remote_failed: bool = False
    onsite_minutes: int = Field(default=120, ge=1, le=24 * 60)
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
