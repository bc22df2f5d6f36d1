"""A large day's part travels to a parts worker as its points, not its matrices."""

from __future__ import annotations

import json

import numpy as np

from dispatch.tasks.parts import solve_part_payload
from dispatch.tasks.payloads import (
    decode_problem,
    decode_solution,
    encode_params,
    encode_problem,
)
from solver.outline import dense, is_outline
from solver.parts import solve_part, split
from tests.solver.conftest import quick
from tests.solver.test_decompose import two_offices
from tests.solver.test_parts_outline import two_city_points, with_travel_between


def test_an_outline_part_travels_as_points_and_is_solved_as_the_full_part() -> None:
    day = two_offices(10, 10, east_engineers=2)
    full, outline = with_travel_between(day, two_city_points(day.durations.shape[0], seed=6))
    params = quick(decompose_size=10, part_size=6, seed=3)
    part, from_full = split(outline, params).problems[0], split(full, params).problems[0]
    payload = json.loads(json.dumps(encode_problem(part)))
    assert "outline" in payload and "durations" not in payload
    received = decode_problem(payload)
    assert is_outline(received)
    assert np.array_equal(dense(received).durations, from_full.durations)
    assert np.array_equal(dense(received).distances, from_full.distances)
    sent = {"problem": payload, "params": encode_params(params), "seconds": 1.0, "deadline": None}
    plan = decode_solution(solve_part_payload(sent))
    assert plan.routes == solve_part(from_full, params, 1.0).routes


def test_a_part_with_its_matrices_still_travels_as_matrices() -> None:
    problem = two_offices(4, 4)
    payload = encode_problem(problem)
    assert "durations" in payload
    assert np.array_equal(decode_problem(payload).durations, problem.durations)
