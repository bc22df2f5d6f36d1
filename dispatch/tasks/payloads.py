"""A part of a day and its plan as JSON, for the trip to a parts worker and back.

JSON, not pickle: a worker unpickling what it takes off a shared broker would run
whatever code the message names. Matrices travel as base64 of their little-endian bytes
(32-bit when every entry fits), with their shape; a large day's part (an outline,
``solver.outline``) as its points' coordinates and travel model instead, its matrices
built by the parts worker; everything else as plain fields. The
solve parameters travel as their caller controls and search tuning only: a part never
reports progress, races engines or spawns processes.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, fields
from typing import Any

import numpy as np

from dispatch.travel import GeodesicTravel, TravelModel
from solver import Break, BreakTaken, Job, Problem, Route, Solution, SolveParams, SolveStats, Stop
from solver import Vehicle as Van
from solver.outline import dense, tables, travel_of

Payload = dict[str, Any]
_INT32 = np.iinfo(np.int32)


def encode_matrix(matrix: np.ndarray[Any, Any]) -> Payload:
    small = matrix.size == 0 or (_INT32.min <= matrix.min() and matrix.max() <= _INT32.max)
    dtype = "<i4" if small else "<i8"
    raw = np.ascontiguousarray(matrix, dtype=dtype).tobytes()
    return {"dtype": dtype, "shape": list(matrix.shape), "data": base64.b64encode(raw).decode()}


def decode_matrix(payload: Payload) -> np.ndarray[Any, np.dtype[np.int64]]:
    if payload["dtype"] not in ("<i4", "<i8"):
        raise ValueError(f"unexpected matrix type {payload['dtype']!r}")
    flat = np.frombuffer(base64.b64decode(payload["data"]), dtype=payload["dtype"])
    return flat.astype(np.int64).reshape(tuple(payload["shape"]))


def _vehicle(vehicle: Van) -> Payload:
    fields_of = asdict(vehicle)
    fields_of["skills"] = None if vehicle.skills is None else sorted(vehicle.skills)
    return fields_of


def _vehicle_from(payload: Payload) -> Van:
    skills = payload["skills"]
    breaks = tuple(Break(**b) for b in payload["breaks"])
    return Van(
        **payload | {"skills": None if skills is None else frozenset(skills), "breaks": breaks}
    )


def encode_problem(problem: Problem) -> Payload:
    """The problem; an outline of geodesic travel (a large day's part) as its points and
    travel model instead of its matrices, which the parts worker fills in."""
    return {
        **_travel(problem),
        "jobs": [asdict(job) for job in problem.jobs],
        "vehicles": [_vehicle(v) for v in problem.vehicles],
        "horizon": problem.horizon,
        "distance_cost": problem.distance_cost,
        "time_cost": problem.time_cost,
        "previous_routes": {v: list(jobs) for v, jobs in problem.previous_routes.items()},
        "change_cost": problem.change_cost,
    }


def decode_problem(payload: Payload) -> Problem:
    if "outline" in payload:
        durations, distances = tables(decode_outline(payload["outline"]))
    else:
        durations, distances = (decode_matrix(payload[k]) for k in ("durations", "distances"))
    return Problem(
        durations=durations,
        distances=distances,
        jobs=tuple(Job(**job) for job in payload["jobs"]),
        vehicles=tuple(_vehicle_from(v) for v in payload["vehicles"]),
        horizon=int(payload["horizon"]),
        distance_cost=int(payload["distance_cost"]),
        time_cost=int(payload["time_cost"]),
        previous_routes={v: tuple(jobs) for v, jobs in payload["previous_routes"].items()},
        change_cost=int(payload["change_cost"]),
    )


def _travel(problem: Problem) -> Payload:
    travel = travel_of(problem)
    if isinstance(travel, GeodesicTravel):
        return {"outline": encode_outline(travel)}
    problem = dense(problem)
    return {
        "durations": encode_matrix(problem.durations),
        "distances": encode_matrix(problem.distances),
    }


def encode_outline(travel: GeodesicTravel) -> Payload:
    raw = np.ascontiguousarray(travel.coordinates, dtype="<f8").tobytes()
    return {"coordinates": base64.b64encode(raw).decode(), "model": asdict(travel.model)}


def decode_outline(payload: Payload) -> GeodesicTravel:
    flat = np.frombuffer(base64.b64decode(payload["coordinates"]), dtype="<f8")
    return GeodesicTravel(flat.astype(np.float64).reshape(-1, 2), TravelModel(**payload["model"]))


def encode_params(params: SolveParams) -> Payload:
    return {
        "time_limit_s": params.time_limit_s,
        "seed": params.seed,
        "solution_limit": params.solution_limit,
        "search": asdict(params.search),
    }


def decode_params(payload: Payload) -> SolveParams:
    known = {f.name for f in fields(type(SolveParams(1.0).search))}
    search = {k: v for k, v in payload["search"].items() if k in known}
    return SolveParams(
        time_limit_s=float(payload["time_limit_s"]),
        seed=int(payload["seed"]),
        solution_limit=payload["solution_limit"],
        workers=1,
    ).tuned(**search)


def encode_solution(solution: Solution) -> Payload:
    return asdict(solution)


def decode_solution(payload: Payload) -> Solution:
    routes = tuple(
        Route(
            vehicle_id=r["vehicle_id"],
            stops=tuple(Stop(**s) for s in r["stops"]),
            start=int(r["start"]),
            end=int(r["end"]),
            breaks=tuple(BreakTaken(**b) for b in r["breaks"]),
        )
        for r in payload["routes"]
    )
    stats = SolveStats(**payload["stats"])
    return Solution(routes, tuple(payload["unassigned"]), stats)
