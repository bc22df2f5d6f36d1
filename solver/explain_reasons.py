"""The reasons as typed facts: each carries the figures its sentence states.

Times are in the problem's unit from its time origin, durations (``late_by``) in the
problem's unit, distances in the problem's distance unit, and ``objective_delta`` in the
objective's unit (``solver.validate.objective``). ``unit_seconds`` is only for the
sentence (minutes); a program reads the fields. How each claim is verified is in
``docs/solver.md`` (Reasons).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from solver.solution import Route

NO_CERTIFIED_ENGINEER = "no_certified_engineer"
OUTSIDE_EVERY_SHIFT = "outside_every_shift"
CANNOT_ARRIVE_IN_TIME = "cannot_arrive_in_time"
CAPACITY = "capacity"
DROPPED_FOR_HIGHER_PRIORITY = "dropped_for_higher_priority"
BUSY_WITH_OTHER_JOBS = "busy_with_other_jobs"
CHEAPER_THIS_WAY = "cheaper_this_way"
PLAN_CAN_IMPROVE = "plan_can_improve"
NO_ROOM = "no_room"
NOT_EXAMINED = "not_examined"


@dataclass(frozen=True, slots=True)
class Delay:
    """A job a trial serves later past its due: ``late_by`` then, ``was_late_by`` in the plan."""

    job_id: str
    late_by: int
    was_late_by: int


@dataclass(frozen=True, slots=True)
class Trial:
    """The plan with the job served by ``engineer_id``, built and checked, not estimated.

    The job is inserted at the cheapest position of the engineer's route (taken out of the
    route that served it, if any; ``gives_up`` left unassigned to make room, if set), the
    changed routes are re-timed exactly (``solver.explain_timing``), the new plan passes
    ``solver.validate.validate`` with no hard violation, and ``objective_delta`` is
    ``objective(new plan) - objective(plan)``. ``start`` is when the job would start,
    ``late_by`` how late it would then be; ``extra_distance`` and ``extra_time`` (route
    spans) add up every changed route. ``routes`` are the changed routes as timed (a
    route that loses its last job is gone), so anyone can rebuild and re-check the plan
    (``solver.explain_trials.apply_trial``).
    """

    engineer_id: str
    start: int
    late_by: int
    objective_delta: int
    extra_distance: int
    extra_time: int
    delays: tuple[Delay, ...] = ()
    gives_up: str | None = None
    routes: tuple[Route, ...] = field(default=(), repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reason:
    """``code`` is stable for programs, ``message`` is for people, the fields for both."""

    code: ClassVar[str] = ""
    unit_seconds: float = 1.0

    def minutes(self, units: int) -> float:
        return round(units * self.unit_seconds / 60.0, 1)

    @property
    def message(self) -> str:
        return self.code

    @property
    def details(self) -> dict[str, Any]:
        """The figures as plain data (JSON-ready), without ``unit_seconds`` or routes."""
        figures = asdict(self)
        figures.pop("unit_seconds")
        if isinstance(figures.get("trial"), dict):
            figures["trial"].pop("routes")
        return figures

    def _head(self, late_by: int | None) -> str:
        return "not planned" if late_by is None else f"{self.minutes(late_by)} min late"

    def _trial(self, trial: Trial) -> str:
        """A trial's figures in a few words."""
        delays = ", ".join(f"{d.job_id} by {self.minutes(d.late_by)} min" for d in trial.delays)
        given = f" in place of {trial.gives_up}" if trial.gives_up else ""
        late = f", would make {delays} late" if delays else ""
        return (
            f"{trial.engineer_id} taking it{given} would start it at {trial.start}{late}: "
            f"{trial.extra_distance:+d} distance, {self.minutes(trial.extra_time):+} min "
            f"of route time, objective {trial.objective_delta:+d}"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class NoCertifiedEngineer(Reason):
    code: ClassVar[str] = NO_CERTIFIED_ENGINEER
    skill: str | None

    @property
    def message(self) -> str:
        return f"no engineer is certified for {self.skill}"


@dataclass(frozen=True, slots=True, kw_only=True)
class OutsideEveryShift(Reason):
    code: ClassVar[str] = OUTSIDE_EVERY_SHIFT
    release: int
    latest_end: int

    @property
    def message(self) -> str:
        return f"released at {self.release}, after every shift ends (latest {self.latest_end})"


@dataclass(frozen=True, slots=True, kw_only=True)
class CannotArriveInTime(Reason):
    """Even alone (no other job, breaks taken), no certified engineer starts it in time.

    ``earliest_start`` is the earliest start of any certified engineer with an empty
    route (``engineer_id``); for an unassigned job no such route fits a day, and the
    start is the earliest ignoring the day's end (None if none exists at all).
    ``late_by`` is how late the plan serves it (None when unassigned).
    """

    code: ClassVar[str] = CANNOT_ARRIVE_IN_TIME
    engineer_id: str | None
    earliest_start: int | None
    due: int | None
    late_by: int | None = None

    @property
    def minutes_late(self) -> float | None:
        return None if self.late_by is None else self.minutes(self.late_by)

    @property
    def message(self) -> str:
        at = f"{self.engineer_id}, would start at {self.earliest_start}, breaks included"
        if self.late_by is None:
            return f"no certified engineer can serve it within a day; the earliest, {at}"
        return (
            f"{self.minutes_late} min late: even the earliest certified engineer going "
            f"straight there, {at}, after the deadline {self.due}"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Capacity(Reason):
    code: ClassVar[str] = CAPACITY
    engineers: tuple[str, ...]

    @property
    def message(self) -> str:
        return "every engineer who could take it is loaded to capacity"


@dataclass(frozen=True, slots=True, kw_only=True)
class BusyWithOtherJobs(Reason):
    """Late: engineers could be on time alone, but serving it on time costs other jobs.

    ``candidates`` could start it by its due with an empty route (the earliest
    ``solver.explain.ENGINEERS_TRIED``). ``trial`` is the cheapest on-time trial among
    them, and it delays other jobs; None when no candidate can fit it on time at all
    (their days are full). ``more_urgent``: every job delayed
    by the trial (with no trial: every job the candidates serve) is more urgent.
    """

    code: ClassVar[str] = BUSY_WITH_OTHER_JOBS
    late_by: int
    due: int
    candidates: tuple[str, ...]
    trial: Trial | None
    more_urgent: bool

    @property
    def minutes_late(self) -> float:
        return self.minutes(self.late_by)

    @property
    def message(self) -> str:
        whom = "jobs due earlier or more urgent" if self.more_urgent else "other jobs"
        head = f"{self.minutes_late} min late: {', '.join(self.candidates)} could be on time"
        if self.trial is None:
            return f"{head} alone, but none can fit it on time among their {whom}"
        return f"{head} but are needed for {whom}; {self._trial(self.trial)}"


@dataclass(frozen=True, slots=True, kw_only=True)
class CheaperThisWay(Reason):
    """Serving it (on time, if late) is possible and harms no deadline, but costs more.

    ``late_by`` is how late the plan serves it (None when unassigned, then ``drop_price``
    is what leaving it out costs).
    """

    code: ClassVar[str] = CHEAPER_THIS_WAY
    trial: Trial
    late_by: int | None = None
    drop_price: int | None = None

    @property
    def message(self) -> str:
        return (
            f"{self._head(self.late_by)}: the plan is cheaper this way; {self._trial(self.trial)}"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanCanImprove(Reason):
    """A trial makes the plan cheaper: the search missed it (a fact, said as one)."""

    code: ClassVar[str] = PLAN_CAN_IMPROVE
    trial: Trial
    late_by: int | None = None

    @property
    def message(self) -> str:
        return f"{self._head(self.late_by)}, yet a better plan exists: {self._trial(self.trial)}"


@dataclass(frozen=True, slots=True, kw_only=True)
class DroppedForHigherPriority(Reason):
    """Unassigned: no candidate can add it, and every job they serve is more urgent.

    ``candidates`` could serve it alone (the earliest ``solver.explain.ENGINEERS_TRIED``);
    ``served`` are the jobs they serve instead, each
    more urgent than this one (``solver.explain.more_urgent``).
    """

    code: ClassVar[str] = DROPPED_FOR_HIGHER_PRIORITY
    candidates: tuple[str, ...]
    served: tuple[str, ...]

    @property
    def message(self) -> str:
        return (
            f"{', '.join(self.candidates)} could take it but have no room, and every job "
            f"they serve ({', '.join(self.served)}) is more urgent"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class NoRoom(Reason):
    """Unassigned: no candidate can add it; some serve jobs that are not more urgent.

    ``not_more_urgent`` lists those jobs; ``trial`` is the cheapest plan found giving one
    of them up for this job (None if none fits either).
    """

    code: ClassVar[str] = NO_ROOM
    candidates: tuple[str, ...]
    not_more_urgent: tuple[str, ...]
    trial: Trial | None

    @property
    def message(self) -> str:
        head = f"{', '.join(self.candidates)} could take it alone, but none can fit it in"
        if self.trial is None:
            return f"{head}, even giving up one of {', '.join(self.not_more_urgent)}"
        return f"{head}; {self._trial(self.trial)}"


@dataclass(frozen=True, slots=True, kw_only=True)
class NotExamined(Reason):
    """The explanation's time budget ran out before this job: no claim is made."""

    code: ClassVar[str] = NOT_EXAMINED
    budget_s: float

    @property
    def message(self) -> str:
        return f"not examined: explaining stopped after its {self.budget_s:g} s budget"
