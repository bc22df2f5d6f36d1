"""The solver's reasons, told in the dispatcher's words: names and local clock times."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dispatch.domain import Ticket
from dispatch.services.problem_builder import PlanningProblem
from solver.explain import (
    BUSY_WITH_OTHER_JOBS,
    CANNOT_ARRIVE_IN_TIME,
    DROPPED_FOR_HIGHER_PRIORITY,
    NO_CERTIFIED_ENGINEER,
    OUTSIDE_EVERY_SHIFT,
    Reason,
)


def _clock(planning: PlanningProblem, minutes: object, zone: str) -> str:
    instant: datetime = planning.instant(int(float(str(minutes))))
    return instant.astimezone(ZoneInfo(zone)).strftime("%a %m-%d %H:%M")


def _engineer(planning: PlanningProblem, reason: Reason) -> str:
    engineer_id = str(reason.details.get("engineer_id", ""))
    engineer = planning.engineers.get(engineer_id)
    return f"{engineer.name} ({engineer_id})" if engineer else engineer_id


def describe(
    reason: Reason, ticket: Ticket, planning: PlanningProblem, minutes_late: int | None
) -> str:
    """One sentence for the dispatcher; falls back to the solver's own message.

    ``minutes_late`` comes from the plan's visit (against the real deadline): the solver
    only sees deadlines clipped to the plan's start.
    """
    zone = planning.offices[ticket.office_code].timezone
    deadline = ticket.deadline.astimezone(ZoneInfo(zone)).strftime("%a %m-%d %H:%M")
    late = minutes_late
    line = ticket.draft.product_line
    if reason.code == NO_CERTIFIED_ENGINEER:
        return f"no engineer in this plan's scope is certified on {line}"
    if reason.code == OUTSIDE_EVERY_SHIFT:
        return "called after every engineer's shift in the plan's two days has ended"
    if reason.code == CANNOT_ARRIVE_IN_TIME and "arrival" in reason.details:
        at = _clock(planning, reason.details["arrival"], zone)
        who = _engineer(planning, reason)
        if late is None:
            return (
                "no certified engineer can get there within a shift; "
                f"the nearest, {who}, would arrive {at}"
            )
        return (
            f"{late:.0f} min late: even the nearest certified engineer, {who}, going straight "
            f"there would arrive {at}, after the deadline {deadline}"
        )
    if reason.code == BUSY_WITH_OTHER_JOBS and late is not None:
        return (
            f"{late:.0f} min late (deadline {deadline}): the engineers who could be on time "
            "are needed for jobs due earlier or more urgent"
        )
    if reason.code == DROPPED_FOR_HIGHER_PRIORITY:
        return (
            f"not planned: every certified engineer is needed for more urgent jobs today and "
            f"tomorrow; carried over, first in line next day (deadline {deadline})"
        )
    return reason.message
