"""The solver's input: a plain, immutable routing problem in integer time units.

The solver knows nothing of offices, tickets or the database. Whoever builds a
``Problem`` (the dispatch services, the Solomon reader) chooses the time unit (seconds
for field service, tenths for Solomon) and converts every time and matrix entry into it.
Times are measured from the problem's time origin (the plan start), so 0 is the earliest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

IntMatrix = npt.NDArray[np.int64]

#: Drop price of a mandatory job (``drop_penalty=None``): far above any route cost, so a
#: plan drops one only when no route can take it, yet a plan always comes back.
MANDATORY_PENALTY = 10**12


@dataclass(frozen=True, slots=True)
class Break:
    """A break that must start inside [earliest_start, latest_start] and last ``duration``.

    With ``ends_at`` (a night before the next shift) the break ends exactly at ``ends_at``
    wherever it starts, so it lasts ``ends_at - start``; ``duration`` is then its shortest
    length and must equal ``ends_at - latest_start``.
    """

    earliest_start: int
    latest_start: int
    duration: int
    ends_at: int | None = None

    def __post_init__(self) -> None:
        if self.duration <= 0 or self.latest_start < self.earliest_start:
            raise ValueError(f"invalid break {self}")
        if self.ends_at is not None and self.ends_at - self.latest_start != self.duration:
            raise ValueError(f"break {self}: duration must be ends_at - latest_start")

    def length(self, start: int) -> int:
        """How long the break lasts when it starts at ``start``."""
        return self.duration if self.ends_at is None else self.ends_at - start


@dataclass(frozen=True, slots=True)
class Job:
    """One visit to make: a customer site with a service duration and a time window.

    ``release`` is the earliest service start (a job cannot be served before it is called;
    Solomon's ready time). ``due`` is the latest arrival: hard when ``hard_due`` (Solomon),
    otherwise a soft deadline priced at ``lateness_cost`` per time unit late.
    ``drop_penalty`` is the price of leaving the job unassigned; ``None`` makes the job
    mandatory (the solver may still report it unassigned when no route can take it).
    """

    id: str
    location: int
    service: int
    release: int = 0
    due: int | None = None
    hard_due: bool = False
    lateness_cost: int = 0
    drop_penalty: int | None = None
    skill: str | None = None
    demand: int = 0

    def __post_init__(self) -> None:
        if self.service < 0 or self.release < 0 or self.demand < 0:
            raise ValueError(f"job {self.id}: negative service, release or demand")
        if self.due is not None and self.hard_due and self.due < self.release:
            raise ValueError(f"job {self.id}: hard due {self.due} before release {self.release}")


@dataclass(frozen=True, slots=True)
class Vehicle:
    """An engineer (or a Solomon vehicle): where the route starts and ends, and when.

    The route may start at ``shift_start`` and must end by ``shift_end``; ending later, up
    to ``overtime_cap`` past it, costs ``overtime_cost`` per time unit. ``first_job``
    pins the first stop (an engineer en route keeps the destination, one on site stays).
    """

    id: str
    start_location: int
    end_location: int
    shift_start: int
    shift_end: int
    overtime_cap: int = 0
    overtime_cost: int = 0
    skills: frozenset[str] | None = None
    capacity: int | None = None
    breaks: tuple[Break, ...] = ()
    first_job: str | None = None

    def __post_init__(self) -> None:
        if self.shift_end < self.shift_start:
            raise ValueError(f"vehicle {self.id}: shift ends before it starts")
        if self.overtime_cap < 0:
            raise ValueError(f"vehicle {self.id}: negative overtime cap")

    def can_serve(self, job: Job) -> bool:
        return self.skills is None or job.skill is None or job.skill in self.skills


@dataclass(frozen=True, slots=True)
class Problem:
    """A complete, self-contained routing problem.

    ``durations`` and ``distances`` are (n, n) int64 matrices over locations; jobs and
    vehicles refer to locations by index. The objective is
    ``distance_cost * distance + time_cost * (route durations)`` + lateness, overtime,
    drop and change prices. ``previous_routes`` (vehicle id -> job ids in order) and
    ``change_cost`` price changing an engineer's next stop when re-planning.
    """

    durations: IntMatrix
    distances: IntMatrix
    jobs: tuple[Job, ...]
    vehicles: tuple[Vehicle, ...]
    horizon: int
    distance_cost: int = 1
    time_cost: int = 0
    previous_routes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    change_cost: int = 0

    def __post_init__(self) -> None:
        n = self.durations.shape[0]
        if self.durations.shape != (n, n) or self.distances.shape != (n, n):
            raise ValueError("durations and distances must be square and of the same size")
        if len({j.id for j in self.jobs}) != len(self.jobs):
            raise ValueError("job ids must be unique")
        if len({v.id for v in self.vehicles}) != len(self.vehicles):
            raise ValueError("vehicle ids must be unique")
        for loc in self._locations():
            if not 0 <= loc < n:
                raise ValueError(f"location index {loc} outside the {n}x{n} matrix")
        self._check_first_jobs()

    def _check_first_jobs(self) -> None:
        ids = {j.id for j in self.jobs}
        pinned = [v.first_job for v in self.vehicles if v.first_job is not None]
        if len(set(pinned)) != len(pinned):
            raise ValueError("a job is pinned as first_job of two vehicles")
        for job_id in pinned:
            if job_id not in ids:
                raise ValueError(f"first_job {job_id} is not a job of the problem")

    def _locations(self) -> list[int]:
        return [j.location for j in self.jobs] + [
            loc for v in self.vehicles for loc in (v.start_location, v.end_location)
        ]

    def job(self, job_id: str) -> Job:
        for job in self.jobs:
            if job.id == job_id:
                return job
        raise KeyError(job_id)

    def drop_price(self, job: Job) -> int:
        return MANDATORY_PENALTY if job.drop_penalty is None else job.drop_penalty

    def job_positions(self) -> dict[str, int]:
        """Job id -> position in ``jobs``."""
        return {job.id: i for i, job in enumerate(self.jobs)}

    def previous_first_job(self, vehicle_id: str) -> str | None:
        """The first stop of the previous plan that is still a job of this problem.

        Jobs done since the previous plan are left out of the problem, so the engineer's
        "next stop" is the first remaining one; ``None`` means the previous plan had the
        engineer go straight to the end of the route.
        """
        ids = {job.id for job in self.jobs}
        for job_id in self.previous_routes.get(vehicle_id, ()):
            if job_id in ids:
                return job_id
        return None


def with_next_day(
    vehicle: Vehicle,
    *,
    night_start_latest: int,
    next_shift_start: int,
    next_shift_end: int,
    next_breaks: tuple[Break, ...] = (),
) -> Vehicle:
    """The same engineer, allowed to carry the route over into the next working day.

    The day-1 shift end becomes the earliest start of a "night" break that ends at
    ``next_shift_start`` however late it starts (up to ``night_start_latest``, which must
    come before ``next_shift_start``). The route may then continue the next morning
    wherever the engineer is (sleeping away on a long trip) and must end by
    ``next_shift_end`` (plus the vehicle's overtime cap, priced as usual). A route that
    ends on day 1 takes the night (and day-2 breaks) after its end, which costs nothing.
    Work between the day-1 shift end and the night start is unpriced overtime; keep
    ``night_start_latest`` at the day-1 shift end + the allowed overtime.
    """
    if not vehicle.shift_end <= night_start_latest < next_shift_start <= next_shift_end:
        raise ValueError(f"vehicle {vehicle.id}: inconsistent next-day times")
    night = Break(
        earliest_start=vehicle.shift_end,
        latest_start=night_start_latest,
        duration=next_shift_start - night_start_latest,
        ends_at=next_shift_start,
    )
    return replace(
        vehicle,
        shift_end=next_shift_end,
        breaks=(*vehicle.breaks, night, *next_breaks),
    )
