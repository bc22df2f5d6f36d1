"""Bodies of the arrival options at intake: ``/tickets/{id}/options`` and ``/assign``."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from api.schemas import PlanOut, Strict
from dispatch.services.arrival_options import (
    MAX_OPTIONS,
    ArrivalOption,
    Change,
    OptionsReport,
)


class OptionsRequest(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"count": 3}]})

    date: dt.date | None = None
    """The plan day to fit the call into (default: the call's local day, else the next
    working day with a published plan)."""
    count: int = Field(default=3, ge=1, le=MAX_OPTIONS)


class ChangeOut(BaseModel):
    """A stop of the published plan the option moves in time or to another engineer."""

    ticket_id: int
    engineer_id: str
    previous_engineer_id: str
    eta_before: dt.datetime
    eta_after: dt.datetime
    minutes_moved: int
    minutes_late_before: int
    minutes_late_after: int
    becomes_late: bool

    @classmethod
    def of(cls, change: Change) -> ChangeOut:
        return cls(
            ticket_id=change.ticket_id,
            engineer_id=change.engineer_id,
            previous_engineer_id=change.previous_engineer_id,
            eta_before=change.eta_before,
            eta_after=change.eta_after,
            minutes_moved=change.minutes_moved,
            minutes_late_before=change.minutes_late_before,
            minutes_late_after=change.minutes_late_after,
            becomes_late=change.becomes_late,
        )


class OptionOut(BaseModel):
    rank: int
    key: str
    """Send back to ``/assign`` with ``plan_id`` to take this option."""
    engineer_id: str
    engineer_name: str
    office: str
    sequence: int
    eta: dt.datetime
    departure: dt.datetime
    deadline: dt.datetime
    on_time: bool
    minutes_late: int
    travel_minutes: int
    objective: int
    added_cost: int
    changes: list[ChangeOut]

    @classmethod
    def of(cls, option: ArrivalOption) -> OptionOut:
        return cls(
            rank=option.rank,
            key=option.key,
            engineer_id=option.engineer.id,
            engineer_name=option.engineer.name,
            office=option.engineer.office_code,
            sequence=option.sequence,
            eta=option.eta,
            departure=option.departure,
            deadline=option.deadline,
            on_time=option.on_time,
            minutes_late=option.minutes_late,
            travel_minutes=option.travel_minutes,
            objective=option.objective,
            added_cost=option.added_cost,
            changes=[ChangeOut.of(c) for c in option.changes],
        )


class OptionsOut(BaseModel):
    ticket_id: int
    plan_id: int
    plan_version: int
    date: dt.date
    engineers_considered: int
    """Engineers of the plan's scope certified on the call's product line."""
    options: list[OptionOut]

    @classmethod
    def of(cls, report: OptionsReport) -> OptionsOut:
        return cls(
            ticket_id=report.ticket.id,
            plan_id=report.plan.id,
            plan_version=report.plan.version,
            date=report.plan.plan_date,
            engineers_considered=report.engineers_considered,
            options=[OptionOut.of(o) for o in report.options],
        )


class AssignRequest(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"plan_id": 12, "option": "E03:2"}]},
    )

    plan_id: int = Field(ge=1, le=2**31 - 1)
    """The published plan the options were computed on."""
    option: str = Field(min_length=3, max_length=500, pattern=r"^[A-Za-z0-9_:>+-]+$")
    """An option's ``key``."""


class AssignOut(BaseModel):
    plan: PlanOut
    """The new, unpublished plan version: publish it to dispatch the call."""
    option: OptionOut
