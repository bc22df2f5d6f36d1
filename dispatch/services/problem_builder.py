"""Turn a day's tickets and engineers into the solver's plain ``Problem``, and back.

The solver counts integer minutes from the plan's origin (the earliest shift start of the
day, or the moment of a re-plan). Everything absolute — call times, deadlines, shifts,
lunch — is converted here, once, so the solver never sees a time zone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from dispatch.calendar import BusinessCalendar
from dispatch.domain import Engineer, GeoPoint, Office, Ticket
from dispatch.errors import ProblemTooLargeError
from dispatch.travel import (
    CachedTravelProvider,
    GeodesicTravel,
    GeodesicTravelProvider,
    TravelMatrix,
    TravelModel,
    TravelProvider,
)
from solver.outline import tables
from solver.problem import Break, IntMatrix, Job, Problem, Vehicle, with_next_day
from solver.tuning import SearchTuning

MAX_PLACES = 6_000
"""The most places one day's problem may hold: offices, engineers' current positions and
ticket sites. Travel between them is three n x n int64 matrices (seconds, metres,
minutes), 0.8 GiB at this size and 2.4 GiB at 10,000; ``docs/solver.md``, "Limits"."""
MAX_ENGINEERS = 1_000
"""The most engineers in one problem: below ``decompose_size`` jobs one OR-Tools model
has two nodes per engineer, and its node-by-node matrices grow with their square."""
MAX_OUTLINE_PLACES = 60_000
"""The most places of a large day solved in parts (``large_days``): the day is an outline
(``solver.outline``) whose travel is computed pair by pair, so what grows with the square
is only each part's own matrices. The cap is the split's work: it reads every job
against every engineer (jobs x engineers pairs, about 80 M at 20,000 x 4,000);
``docs/deployment.md``, "Large days"."""
MAX_OUTLINE_ENGINEERS = 8_000
"""The most engineers of a large day solved in parts (see ``MAX_OUTLINE_PLACES``)."""
OUTLINE_FROM_JOBS = SearchTuning().decompose_size
"""Tickets from which a day beyond the full-matrix caps may be an outline: the solver's
default ``decompose_size`` (500), from which it solves a day in parts whatever the
deployment's ``PARTS_FROM_JOBS``. A smaller day with more than 1,000 engineers is one
OR-Tools model, which needs its matrices whole: it stays refused."""


def check_size(places: int, engineers: int, *, large_days: bool = False) -> None:
    """Refuse a day beyond the caps before building anything: ``MAX_PLACES`` and
    ``MAX_ENGINEERS``, or with ``large_days`` the outline's ``MAX_OUTLINE_*``."""
    most_places, most_engineers = (
        (MAX_OUTLINE_PLACES, MAX_OUTLINE_ENGINEERS) if large_days else (MAX_PLACES, MAX_ENGINEERS)
    )
    if places > most_places:
        raise ProblemTooLargeError(
            f"the day has {places:,} places (offices, engineers' positions, ticket sites); "
            f"one plan holds at most {most_places:,}: plan fewer tickets at a time "
            "(by office or region)"
        )
    if engineers > most_engineers:
        raise ProblemTooLargeError(
            f"the day has {engineers:,} engineers; one plan holds at most {most_engineers:,}: "
            "plan fewer at a time (by office or region)"
        )


def needs_outline(places: int, engineers: int) -> bool:
    """Whether a day is too large for its full matrices and is built as an outline."""
    return places > MAX_PLACES or engineers > MAX_ENGINEERS


def solved_in_parts(jobs: int) -> bool:
    """Whether the solver takes a day of ``jobs`` jobs in parts (``OUTLINE_FROM_JOBS``):
    only such a day may be an outline, a whole-day model needs its matrices whole."""
    return jobs >= OUTLINE_FROM_JOBS


def _geodesic_model(travel: TravelProvider) -> TravelModel:
    """The travel model behind ``travel``: an outline computes travel pair by pair, which
    only the geodesic provider can (a matrix file has no rule between its points)."""
    inner = travel.provider if isinstance(travel, CachedTravelProvider) else travel
    if not isinstance(inner, GeodesicTravelProvider):
        raise ProblemTooLargeError(
            f"a day beyond {MAX_PLACES:,} places is solved in parts with geodesic travel, "
            "not with a travel matrix file: plan fewer tickets at a time"
        )
    return inner.model


@dataclass(frozen=True, slots=True)
class PlanningWeights:
    """The objective's prices, in one place (distance is in metres, time in minutes).

    The scale is what makes the rules hold: one minute late costs as much as 1,000 km of
    driving, so the plan is late only when no on-time plan exists; leaving a job out
    costs more than serving it two days late, so a job is dropped only when no engineer
    can take it at all. Emergencies and carry-overs (004 Art. 18) weigh more.
    """

    metre: int = 1
    engineer_minute: int = 100
    overtime_minute: int = 2_000
    late_minute: int = 1_000_000
    drop: int = 5_000_000_000
    emergency_factor: int = 4
    carry_over_factor: int = 2
    lunch_slack_before: timedelta = timedelta(minutes=30)
    lunch_slack_after: timedelta = timedelta(minutes=60)

    def factor(self, ticket: Ticket, day_start: datetime) -> int:
        factor = 1 + ticket.draft.priority
        if ticket.draft.emergency:
            factor *= self.emergency_factor
        if ticket.called_at < day_start:
            factor *= self.carry_over_factor
        return factor


@dataclass(frozen=True, slots=True)
class RunningDay:
    """The state of a day already under way, for re-planning it from ``as_of``.

    ``positions``: where engineers are now; ``first_stops``: the ticket an engineer is on
    site at or travelling to (it stays their next stop); ``remaining_minutes``: work left
    at a site an engineer is on; ``previous_routes``: the published plan's remaining stops
    per engineer, so that changing someone's next stop costs ``change_cost``.
    """

    as_of: datetime
    positions: Mapping[str, GeoPoint] = field(default_factory=dict)
    first_stops: Mapping[str, int] = field(default_factory=dict)
    remaining_minutes: Mapping[int, int] = field(default_factory=dict)
    previous_routes: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    change_cost: int = 200_000
    """Moving an engineer's next stop costs as much as 200 km of driving: an emergency
    moves people when it must, not to save a few kilometres."""


@dataclass(frozen=True, slots=True)
class PlanningProblem:
    """A solver problem together with what is needed to read its answer back."""

    problem: Problem
    origin: datetime
    tickets: dict[str, Ticket]
    engineers: dict[str, Engineer]
    offices: dict[str, Office]
    travel: TravelMatrix | GeodesicTravel
    """The full matrix, or for an outline (``solver.outline``) the pair rule."""

    def instant(self, minutes: int) -> datetime:
        return self.origin + timedelta(minutes=minutes)


def _minutes(instant: datetime, origin: datetime) -> int:
    return math.floor((instant - origin).total_seconds() / 60.0)


def _local(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone)


def plan_origin(day: date, engineers: Sequence[Engineer], offices: dict[str, Office]) -> datetime:
    """The earliest shift start of the day, over all engineers in scope."""
    starts = [_local(day, e.shift_start, offices[e.office_code].calendar.zone()) for e in engineers]
    return min(starts)


def _lunch(
    engineer: Engineer, day: date, zone: ZoneInfo, origin: datetime, w: PlanningWeights
) -> tuple[Break, ...]:
    """The lunch break, unless its window closed before the plan starts (a re-plan)."""
    lunch = _local(day, engineer.lunch_start, zone)
    latest = _minutes(lunch + w.lunch_slack_after, origin)
    if latest < 0 or engineer.lunch_minutes <= 0:
        return ()
    earliest = max(0, _minutes(lunch - w.lunch_slack_before, origin))
    return (Break(earliest, latest, engineer.lunch_minutes),)


def working_days(calendar: BusinessCalendar, day: date) -> tuple[date, date]:
    """The first working day on or after ``day``, and the working day after it."""
    first = day
    while not calendar.is_working_day(first):
        first += timedelta(days=1)
    second = first + timedelta(days=1)
    while not calendar.is_working_day(second):
        second += timedelta(days=1)
    return first, second


def _vehicle(
    engineer: Engineer,
    office: Office,
    day: date,
    origin: datetime,
    locations: tuple[int, int],
    weights: PlanningWeights,
) -> Vehicle:
    """The engineer's shift on the plan's working day, continued into the next working day.

    Jobs that cannot be served today (a call late in the afternoon, a 36 h trip) go into
    the next morning instead of being dropped; the engineer sleeps wherever the route is.
    """
    zone = office.calendar.zone()
    today, tomorrow = working_days(office.calendar, day)

    def at(d: date, clock: time) -> int:
        return max(0, _minutes(_local(d, clock, zone), origin))

    shift_start, shift_end = at(today, engineer.shift_start), at(today, engineer.shift_end)
    vehicle = Vehicle(
        id=engineer.id,
        start_location=locations[0],
        end_location=locations[1],
        shift_start=shift_start,
        shift_end=max(shift_start, shift_end),
        overtime_cap=engineer.overtime_cap_minutes,
        overtime_cost=weights.overtime_minute,
        skills=engineer.skills,
        breaks=_lunch(engineer, today, zone, origin, weights),
    )
    return with_next_day(
        vehicle,
        night_start_latest=vehicle.shift_end + engineer.overtime_cap_minutes,
        next_shift_start=at(tomorrow, engineer.shift_start),
        next_shift_end=at(tomorrow, engineer.shift_end),
        next_breaks=_lunch(engineer, tomorrow, zone, origin, weights),
    )


def _job(
    ticket: Ticket,
    location: int,
    origin: datetime,
    day_start: datetime,
    weights: PlanningWeights,
) -> Job:
    factor = weights.factor(ticket, day_start)
    return Job(
        id=str(ticket.id),
        location=location,
        service=ticket.draft.onsite_minutes,
        release=max(0, _minutes(ticket.called_at, origin)),
        due=max(0, _minutes(ticket.deadline, origin)),
        lateness_cost=weights.late_minute * factor,
        drop_penalty=weights.drop * factor,
        skill=ticket.draft.product_line,
    )


def _resume_on_site(job: Job, running: RunningDay, resumes_at: Mapping[str, int]) -> Job:
    """An engineer on site keeps working: only the work left, from their shift's start."""
    left = running.remaining_minutes.get(int(job.id))
    if left is None or job.id not in resumes_at:
        return job
    start = resumes_at[job.id]
    return replace(job, service=left, release=start, due=start, hard_due=True)


def _travel_minutes(matrix: TravelMatrix) -> np.ndarray:
    """Whole minutes, rounded up: an ETA is never optimistic by a fraction of a minute."""
    return matrix.durations_min()


def _travel(
    travel: TravelProvider, points: list[GeoPoint], outline: bool
) -> TravelMatrix | GeodesicTravel:
    if outline:
        return GeodesicTravel.of(points, _geodesic_model(travel))
    return travel.matrix(points)


def _matrices(travel: TravelMatrix | GeodesicTravel) -> tuple[IntMatrix, IntMatrix]:
    """(durations in minutes, distances in metres) of the solver's problem."""
    if isinstance(travel, GeodesicTravel):
        return tables(travel)
    return _travel_minutes(travel), travel.distances_m


def _vehicles(
    engineers: Sequence[Engineer],
    offices: Sequence[Office],
    day: date,
    origin: datetime,
    running: RunningDay | None,
    weights: PlanningWeights,
) -> tuple[list[GeoPoint], list[Vehicle]]:
    """Office locations and engineer positions, and one vehicle per engineer."""
    by_code = {o.code: o for o in offices}
    points: list[GeoPoint] = [o.location for o in offices]
    office_index = {o.code: i for i, o in enumerate(offices)}
    vehicles = []
    for engineer in engineers:
        home = office_index[engineer.office_code]
        start = home
        here = running.positions.get(engineer.id) if running else None
        here = here or engineer.location
        if here is not None:
            points.append(here)
            start = len(points) - 1
        office = by_code[engineer.office_code]
        vehicle = _vehicle(engineer, office, day, origin, (start, home), weights)
        if running and engineer.id in running.first_stops:
            vehicle = replace(vehicle, first_job=str(running.first_stops[engineer.id]))
        vehicles.append(vehicle)
    return points, vehicles


def build_problem(
    *,
    day: date,
    offices: Sequence[Office],
    engineers: Sequence[Engineer],
    tickets: Sequence[Ticket],
    travel: TravelProvider,
    weights: PlanningWeights | None = None,
    running: RunningDay | None = None,
    large_days: bool = False,
) -> PlanningProblem:
    """The day's problem: engineers start at their current place (or home office) and
    end at their home office; a ticket may not start before its call. With ``running``
    the day is re-planned from ``running.as_of``, keeping who is on site where.

    With ``large_days`` (parts workers are there to solve it) a day beyond ``MAX_PLACES``
    or ``MAX_ENGINEERS`` that the solver takes in parts is built as an outline
    (``solver.outline``): no n x n matrix."""
    weights = weights or PlanningWeights()
    by_code = {o.code: o for o in offices}
    origin = plan_origin(day, engineers, by_code)
    if running:
        origin = max(origin, running.as_of)
    points, vehicles = _vehicles(engineers, offices, day, origin, running, weights)
    places = len(points) + len(tickets)
    large_days = large_days and solved_in_parts(len(tickets))
    check_size(places, len(vehicles), large_days=large_days)
    first_site = len(points)
    points.extend(t.draft.site for t in tickets)
    day_start = min(_local(day, time(0), o.calendar.zone()) for o in offices)
    jobs = tuple(_job(t, first_site + i, origin, day_start, weights) for i, t in enumerate(tickets))
    if running:
        resumes_at = {v.first_job: v.shift_start for v in vehicles if v.first_job}
        jobs = tuple(_resume_on_site(job, running, resumes_at) for job in jobs)
    outline = large_days and needs_outline(places, len(vehicles))
    matrix = _travel(travel, points, outline)
    horizon = max(v.shift_end + v.overtime_cap for v in vehicles)
    previous = running.previous_routes if running else {}
    durations, distances = _matrices(matrix)
    problem = Problem(
        durations=durations,
        distances=distances,
        jobs=jobs,
        vehicles=tuple(vehicles),
        horizon=max([horizon, *(j.release + j.service for j in jobs)]),
        distance_cost=weights.metre,
        time_cost=weights.engineer_minute,
        previous_routes={e: tuple(str(t) for t in ids) for e, ids in previous.items()},
        change_cost=running.change_cost if running else 0,
    )
    return PlanningProblem(
        problem=problem,
        origin=origin,
        tickets={str(t.id): t for t in tickets},
        engineers={e.id: e for e in engineers},
        offices=by_code,
        travel=matrix,
    )
