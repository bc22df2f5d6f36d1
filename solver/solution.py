"""The solver's output: plain routes with their times, and the jobs left unassigned."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Stop:
    """A visit on a route. ``arrival`` <= ``start`` (waiting for the release time)."""

    job_id: str
    arrival: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class BreakTaken:
    start: int
    duration: int


@dataclass(frozen=True, slots=True)
class Route:
    vehicle_id: str
    stops: tuple[Stop, ...]
    start: int
    end: int
    breaks: tuple[BreakTaken, ...] = ()

    @property
    def job_ids(self) -> tuple[str, ...]:
        return tuple(stop.job_id for stop in self.stops)


@dataclass(frozen=True, slots=True)
class SolveStats:
    """How the solve went: what a benchmark or a progress report needs."""

    objective: int
    wall_seconds: float
    engine: str
    status: str
    first_solution_objective: int | None = None
    details: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Solution:
    routes: tuple[Route, ...]
    unassigned: tuple[str, ...]
    stats: SolveStats

    def route_of(self, vehicle_id: str) -> Route | None:
        for route in self.routes:
            if route.vehicle_id == vehicle_id:
                return route
        return None
