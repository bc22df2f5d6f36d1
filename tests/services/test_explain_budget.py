"""Explaining a plan has a budget of its own, a fraction of the solve's time limit."""

from __future__ import annotations

import pytest

from dispatch.services.planning import EXPLAIN_MIN_S, explain_budget_s


@pytest.mark.parametrize("limit", [1.0, 3.0, 10.0, 60.0, 300.0])
def test_explaining_gets_less_time_than_the_solve_but_never_none(limit: float) -> None:
    budget = explain_budget_s(limit)
    assert budget >= EXPLAIN_MIN_S
    assert budget < limit
