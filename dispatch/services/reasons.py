"""The solver's reasons, told in the dispatcher's words: names, local clock times, km.

Every figure comes from a field of the typed reason (``solver.explain``), which the solver
checked against the plan; this module only words it. The planning problem counts whole
minutes and metres.
"""

from __future__ import annotations

import math
from zoneinfo import ZoneInfo

from dispatch.domain import Ticket
from dispatch.services.problem_builder import PlanningProblem
from solver.explain import (
    BusyWithOtherJobs,
    CannotArriveInTime,
    CheaperThisWay,
    Delay,
    DroppedForHigherPriority,
    NoCertifiedEngineer,
    NoRoom,
    OutsideEveryShift,
    PlanCanImprove,
    Reason,
    Trial,
)


class _Words:
    """One ticket's reason, with the plan's names and clocks at hand."""

    def __init__(self, planning: PlanningProblem, ticket: Ticket) -> None:
        self.planning = planning
        self.zone = ZoneInfo(planning.offices[ticket.office_code].timezone)
        self.deadline = ticket.deadline.astimezone(self.zone).strftime("%a %m-%d %H:%M")

    def clock(self, minutes: int) -> str:
        return planning_clock(self.planning, minutes, self.zone)

    def who(self, engineer_id: str | None) -> str:
        engineer = self.planning.engineers.get(engineer_id or "")
        return f"{engineer.name} ({engineer_id})" if engineer else str(engineer_id)

    def delay(self, delay: Delay) -> str:
        """A ticket made later, in minutes past its real deadline.

        The solver's dues are clipped to the plan's start, so a ticket already overdue
        when the plan starts is later than the solver's figure by what it was overdue.
        """
        deadline = self.planning.tickets[delay.job_id].deadline
        overdue = max(0, math.floor((self.planning.origin - deadline).total_seconds() / 60.0))
        now, was = delay.late_by + overdue, delay.was_late_by + overdue
        before = f" instead of {was}" if was else ""
        return f"ticket {delay.job_id} {now} min late{before}"

    def trial(self, trial: Trial) -> str:
        """What serving it with the trial's engineer does, in figures."""
        instead = f" instead of ticket {trial.gives_up}" if trial.gives_up else ""
        made_late = ", ".join(self.delay(d) for d in trial.delays)
        late = f", making {made_late}" if made_late else ""
        start = self.clock(trial.start)
        return (
            f"{self.who(trial.engineer_id)} could start it {start}{instead}{late}; "
            f"{trial.extra_distance / 1000:+.1f} km, {trial.extra_time:+d} min of route time, "
            f"plan cost {trial.objective_delta:+,}"
        )


def planning_clock(planning: PlanningProblem, minutes: int, zone: ZoneInfo) -> str:
    return planning.instant(minutes).astimezone(zone).strftime("%a %m-%d %H:%M")


def _tickets(ids: tuple[str, ...]) -> str:
    """Ticket numbers, or how many when the list would swamp the sentence."""
    return f"tickets {', '.join(ids)}" if len(ids) <= 6 else f"{len(ids)} tickets"


def _late(minutes_late: int | None, words: _Words) -> str:
    if minutes_late is None:
        return f"not planned (deadline {words.deadline})"
    return f"{minutes_late:.0f} min late (deadline {words.deadline})"


def _arrive(reason: CannotArriveInTime, words: _Words, minutes_late: int | None) -> str:
    if reason.earliest_start is None:
        return "no certified engineer can get there within a shift"
    at = f"{words.who(reason.engineer_id)}, would start {words.clock(reason.earliest_start)}"
    if minutes_late is None:
        return (
            f"no certified engineer can get there and back within a shift; the earliest, {at} "
            "(breaks on the way included)"
        )
    return (
        f"{minutes_late:.0f} min late: even the earliest certified engineer going straight "
        f"there, {at} (breaks on the way included), after the deadline {words.deadline}"
    )


def _busy(reason: BusyWithOtherJobs, words: _Words, minutes_late: int | None) -> str:
    whom = "jobs due earlier or more urgent" if reason.more_urgent else "other jobs"
    names = ", ".join(words.who(e) for e in reason.candidates)
    head = f"{_late(minutes_late, words)}: {names} could be on time"
    if reason.trial is None:
        return f"{head} alone, but none can fit it on time among their {whom}"
    return f"{head}, but are needed for {whom}: {words.trial(reason.trial)}"


def describe(
    reason: Reason, ticket: Ticket, planning: PlanningProblem, minutes_late: int | None
) -> str:
    """One sentence for the dispatcher; falls back to the solver's own message.

    ``minutes_late`` comes from the plan's visit (against the real deadline): the solver
    only sees deadlines clipped to the plan's start.
    """
    words = _Words(planning, ticket)
    if isinstance(reason, NoCertifiedEngineer):
        return f"no engineer in this plan's scope is certified on {ticket.draft.product_line}"
    if isinstance(reason, OutsideEveryShift):
        return "called after every engineer's shift in the plan's two days has ended"
    if isinstance(reason, CannotArriveInTime):
        return _arrive(reason, words, minutes_late)
    if isinstance(reason, BusyWithOtherJobs):
        return _busy(reason, words, minutes_late)
    if isinstance(reason, CheaperThisWay):
        cheaper = "the plan is cheaper this way"
        return f"{_late(minutes_late, words)}: {cheaper}; {words.trial(reason.trial)}"
    if isinstance(reason, PlanCanImprove):
        return (
            f"{_late(minutes_late, words)}, but a better plan exists: {words.trial(reason.trial)}"
        )
    if isinstance(reason, DroppedForHigherPriority):
        names = ", ".join(words.who(e) for e in reason.candidates)
        return (
            f"not planned: {names} could take it but have no room, and the "
            f"{_tickets(reason.served)} they serve are all more urgent; carried over, first in "
            f"line next day (deadline {words.deadline})"
        )
    if isinstance(reason, NoRoom):
        names = ", ".join(words.who(e) for e in reason.candidates)
        head = f"not planned: {names} could take it alone, but none can fit it into their route"
        if reason.trial is None:
            return f"{head}, even giving up one of the {_tickets(reason.not_more_urgent)}"
        return f"{head}; {words.trial(reason.trial)}"
    return reason.message
