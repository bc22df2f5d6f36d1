"""A day as an outline (``solver.outline``): travel pair by pair, equal to the full matrix."""

from __future__ import annotations

import numpy as np
import pytest

from dispatch.domain import GeoPoint
from dispatch.travel import GeodesicTravel, GeodesicTravelProvider
from solver import Problem, validate
from solver import outline as outline_module
from solver.decompose import solve_in_parts
from solver.outline import dense, is_outline, remember, tables
from solver.parts import split, subproblem
from solver.validate import hard
from tests.solver.conftest import quick
from tests.solver.test_decompose import two_offices


def two_city_points(n: int, seed: int) -> list[GeoPoint]:
    """Points around two cities, some of them twice (an engineer at the office)."""
    rng = np.random.default_rng(seed)
    near = [GeoPoint(31.2 + dy, 121.5 + dx) for dy, dx in rng.normal(0, 0.3, (n // 2, 2))]
    far = [GeoPoint(39.9 + dy, 116.4 + dx) for dy, dx in rng.normal(0, 0.3, (n // 2, 2))]
    return [*near, *far, *near[:3]]


def with_travel_between(problem: Problem, points: list[GeoPoint]) -> tuple[Problem, Problem]:
    """``problem`` with travel between ``points``: full matrices, and as an outline."""
    matrix = GeodesicTravelProvider().matrix(points)
    full = Problem(
        durations=matrix.durations_min(),
        distances=matrix.distances_m,
        jobs=problem.jobs,
        vehicles=problem.vehicles,
        horizon=problem.horizon,
        distance_cost=problem.distance_cost,
        time_cost=problem.time_cost,
    )
    durations, distances = tables(GeodesicTravel.of(points))
    outline = Problem(
        durations=durations,
        distances=distances,
        jobs=problem.jobs,
        vehicles=problem.vehicles,
        horizon=problem.horizon,
        distance_cost=problem.distance_cost,
        time_cost=problem.time_cost,
    )
    return full, outline


def test_pair_by_pair_travel_equals_the_full_matrix_everywhere() -> None:
    points = two_city_points(300, seed=5)
    matrix = GeodesicTravelProvider().matrix(points)
    outline = dense(with_travel_between(two_offices(10, 10), points)[1])
    assert np.array_equal(outline.durations, matrix.durations_min())
    assert np.array_equal(outline.distances, matrix.distances_m)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_parts_own_matrices_equal_its_block_of_the_full_matrix(seed: int) -> None:
    day = two_offices(10, 10, east_engineers=2)
    full, outline = with_travel_between(day, two_city_points(day.durations.shape[0], seed))
    params = quick(decompose_size=10, part_size=6)
    whole, parts = split(full, params), split(outline, params)
    assert whole.parts == parts.parts
    for part, from_full, from_outline in zip(
        whole.parts, whole.problems, parts.problems, strict=True
    ):
        assert is_outline(from_outline)
        built = dense(from_outline)
        assert np.array_equal(built.durations, from_full.durations)
        assert np.array_equal(built.distances, from_full.distances)
        assert built.jobs == subproblem(full, part).jobs


def test_an_outline_indexes_like_a_matrix() -> None:
    points = two_city_points(40, seed=9)
    full, outline = with_travel_between(two_offices(10, 10), points)
    rows, cols = np.ix_([3, 0, 7], [5, 5, 1, 2])
    assert np.array_equal(outline.durations[rows, cols], full.durations[rows, cols])
    assert np.array_equal(outline.distances[4], full.distances[4])
    assert np.array_equal(outline.durations[:, 2], full.durations[:, 2])
    assert outline.distances[6, 9] == full.distances[6, 9]
    assert outline.durations[8, 8] == 0


def test_an_outline_day_in_parts_gives_the_plan_of_the_full_matrices() -> None:
    day = two_offices(10, 10, east_engineers=2)
    full, outline = with_travel_between(day, two_city_points(day.durations.shape[0], seed=4))
    params = quick(decompose_size=10, part_size=6, seed=3)
    plans = [solve_in_parts(p, params) for p in (full, outline)]
    assert hard(validate(outline, plans[1])) == []
    assert plans[1].routes == plans[0].routes
    assert plans[1].unassigned == plans[0].unassigned
    assert plans[1].stats.objective == plans[0].stats.objective


def test_a_vector_asked_for_every_job_is_read_from_one_block_of_the_same_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(outline_module, "_CHUNK_PAIRS", 100)  # a block in several chunks
    points = two_city_points(80, seed=11)
    full, outline = with_travel_between(two_offices(10, 10), points)
    starts = np.array([0, 5, 5, 9, 0, 3] * 20, dtype=np.int64)
    for site in range(len(points)):
        assert np.array_equal(outline.durations[starts, site], full.durations[starts, site])
        assert np.array_equal(outline.distances[site, starts], full.distances[site, starts])
        assert np.array_equal(outline.durations[starts[:4], site], full.durations[starts[:4], site])


def test_pairs_remembered_in_one_go_are_the_matrix_numbers() -> None:
    points = two_city_points(60, seed=12)
    full, outline = with_travel_between(two_offices(10, 10), points)
    rows, cols = np.array([1, 2, 2, 7, 40]), np.array([9, 9, 2, 3, 41])
    remember(outline, rows, cols)
    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        assert outline.durations[r, c] == full.durations[r, c]
        assert outline.distances[r, c] == full.distances[r, c]
