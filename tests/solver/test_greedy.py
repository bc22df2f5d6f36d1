"""The greedy plan's deadline: the repair of a plan in parts ends on time (issue 9 #13)."""

from __future__ import annotations

import time

from solver import validate
from solver.greedy import greedy_plan
from solver.prune import allowed_vehicles
from solver.validate import hard
from tests.solver.conftest import random_problem


def test_jobs_the_greedy_plan_has_no_time_for_stay_unassigned() -> None:
    """A passed deadline stops the insertion; the plan is still whole and valid."""
    p = random_problem(30, 4, seed=3)
    allowed = allowed_vehicles(p, nearest=30)
    late = greedy_plan(p, allowed, deadline=time.time() - 1.0)
    assert hard(validate(p, late)) == []
    assert late.routes == ()
    assert len(late.unassigned) == len(p.jobs)
    in_time = greedy_plan(p, allowed, deadline=time.time() + 60.0)
    assert hard(validate(p, in_time)) == []
    assert len(in_time.unassigned) < len(p.jobs)
