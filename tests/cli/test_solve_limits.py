"""Size and time limits of ``dispatch solve`` (issue 9, item 13): one-line refusals, exit 2.

The real limits (6,000 places, 1,000 engineers, 1.5 s per 1,000 places) are lowered here
so that a three-ticket file crosses them; ``bench/limits.py`` measures the real ones.
"""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dispatch.cli import app
from dispatch.domain import Ticket
from dispatch.errors import ProblemTooLargeError
from dispatch.service_area import register
from dispatch.services import problem_builder, time_budget
from dispatch.services.problem_builder import build_problem
from dispatch.travel import default_provider
from fixtures.generator import generate_day
from fixtures.organisation import ENGINEERS, OFFICES
from solver import SolveParams
from tests.cli.test_solve import _problem

DAY = date(2026, 11, 23)


def _refusal(tmp_path: Path, *args: str) -> str:
    path = tmp_path / "day.json"
    path.write_text(json.dumps(_problem()))
    result = CliRunner().invoke(app, ["solve", str(path), *args], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    return lines[0]


def test_a_day_with_more_places_than_the_cap_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(problem_builder, "MAX_PLACES", 3)
    assert "4 places" in _refusal(tmp_path, "--seconds", "1")


def test_a_day_with_more_engineers_than_the_cap_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(problem_builder, "MAX_ENGINEERS", 1)
    assert "2 engineers" in _refusal(tmp_path, "--seconds", "1")


def test_a_time_limit_too_short_for_the_day_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(time_budget, "SECONDS_PER_1000_PLACES", 1000.0)
    assert "at least 4 s" in _refusal(tmp_path, "--seconds", "2")


def test_the_search_gets_what_preparing_the_day_left_of_the_limit() -> None:
    started = time.monotonic() - 5.0
    search = time_budget.for_search(SolveParams(time_limit_s=8.0), started, jobs=1000)
    assert search.time_limit_s <= 8.0 - 5.0 - 1000 * time_budget.WRITE_UP_S_PER_JOB
    late = time_budget.for_search(SolveParams(time_limit_s=2.0), started, jobs=10)
    assert late.time_limit_s == time_budget.MIN_SEARCH_S


def test_building_a_day_beyond_the_cap_is_refused_before_the_travel_matrix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The API's plans are built here too; a ``DispatchError`` is a 422 at its edge."""
    monkeypatch.setattr(problem_builder, "MAX_PLACES", 20)
    day = generate_day("normal", DAY)
    by_code = {o.code: o for o in OFFICES}
    tickets = []
    for number, draft in enumerate(day, start=1):
        area, deadline = register(draft, by_code[draft.office_code])
        tickets.append(Ticket(number, draft, area, deadline.at, deadline.rule))
    with pytest.raises(ProblemTooLargeError, match="at most 20"):
        build_problem(
            day=DAY,
            offices=OFFICES,
            engineers=ENGINEERS,
            tickets=tickets,
            travel=default_provider(),
        )
