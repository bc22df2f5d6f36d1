"""A day beyond the full-matrix caps, built as an outline when parts workers solve it.

The real caps (6,000 places, 1,000 engineers) are lowered so that the seeded normal day
crosses them; ``bench/parts_queue.py --outline`` measures the real sizes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pytest

from dispatch.domain import GeoPoint, Ticket
from dispatch.errors import ProblemTooLargeError
from dispatch.service_area import register
from dispatch.services import problem_builder
from dispatch.services.problem_builder import PlanningProblem, build_problem
from dispatch.travel import GeodesicTravel, TravelMatrix, TravelProvider, default_provider
from fixtures.generator import generate_day
from fixtures.organisation import ENGINEERS, OFFICES
from solver.outline import dense, is_outline

DAY = date(2026, 11, 23)


def _day(large_days: bool, travel: TravelProvider | None = None) -> PlanningProblem:
    by_code = {o.code: o for o in OFFICES}
    tickets = []
    for number, draft in enumerate(generate_day("normal", DAY), start=1):
        area, deadline = register(draft, by_code[draft.office_code])
        tickets.append(Ticket(number, draft, area, deadline.at, deadline.rule))
    return build_problem(
        day=DAY,
        offices=OFFICES,
        engineers=ENGINEERS,
        tickets=tickets,
        travel=travel or default_provider(),
        large_days=large_days,
    )


def test_a_day_within_the_caps_keeps_its_full_matrices_even_with_parts_workers() -> None:
    assert not is_outline(_day(large_days=True).problem)


def test_a_large_day_with_parts_workers_is_an_outline_of_the_same_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    full = _day(large_days=False).problem
    monkeypatch.setattr(problem_builder, "MAX_PLACES", 20)
    monkeypatch.setattr(problem_builder, "OUTLINE_FROM_JOBS", 1)
    planning = _day(large_days=True)
    assert isinstance(planning.travel, GeodesicTravel)
    outline = planning.problem
    assert is_outline(outline)
    assert outline.jobs == full.jobs
    assert outline.vehicles == full.vehicles
    assert np.array_equal(dense(outline).durations, full.durations)
    assert np.array_equal(dense(outline).distances, full.distances)


def test_a_large_day_is_refused_without_parts_workers_and_above_the_outline_caps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(problem_builder, "MAX_PLACES", 20)
    with pytest.raises(ProblemTooLargeError, match="at most 20"):
        _day(large_days=False)
    with pytest.raises(ProblemTooLargeError, match="at most 20"):
        _day(large_days=True)  # too few tickets to be solved in parts
    monkeypatch.setattr(problem_builder, "OUTLINE_FROM_JOBS", 1)
    monkeypatch.setattr(problem_builder, "MAX_OUTLINE_PLACES", 30)
    with pytest.raises(ProblemTooLargeError, match="at most 30"):
        _day(large_days=True)


class _GivenMatrix:
    """A provider with no rule between its points (as a matrix file): never asked here."""

    def matrix(self, points: Sequence[GeoPoint]) -> TravelMatrix:
        raise AssertionError("an outline never asks for the full matrix")


def test_a_large_day_needs_geodesic_travel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(problem_builder, "MAX_PLACES", 20)
    monkeypatch.setattr(problem_builder, "OUTLINE_FROM_JOBS", 1)
    with pytest.raises(ProblemTooLargeError, match="geodesic travel"):
        _day(large_days=True, travel=_GivenMatrix())
