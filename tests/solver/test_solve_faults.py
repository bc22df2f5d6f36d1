"""``solve()`` returns a valid plan whatever its second-engine process does (issue 9 #12).

Before, the problem went to the spawned child down a pipe the caller itself kept open
for reading, so a child that died at start-up (a script read from standard input, a
script without the ``__main__`` guard) left ``solve()`` blocked forever. Only outcomes
are asserted; the 60 s timeouts keep a regression from hanging the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from solver import Problem, Solution, SolveParams, solve, validate
from solver.engine import lineup
from solver.validate import hard
from tests.solver.conftest import random_problem

ROOT = Path(__file__).resolve().parents[2]
HANG_GUARD_S = 60.0
#: Long enough for the race (``solver.engine.MIN_RACE_S``), so a child is started.
RACE_S = 2.6

#: A script with no ``if __name__ == "__main__":`` guard; it prints what the plan is worth.
#: Its problem pickles to 98 KiB, more than a pipe's 64 KiB buffer (as the old hang needed).
SCRIPT = """
import json
from solver import SolveParams, solve, validate
from solver.validate import hard
from tests.solver.conftest import random_problem

problem = random_problem(70, 8, seed=1)
plan = solve(problem, SolveParams(time_limit_s={seconds}, workers=2))
print(json.dumps({{"hard": len(hard(validate(problem, plan))),
                   "jobs": len(problem.jobs),
                   "served": sum(len(r.stops) for r in plan.routes),
                   "unassigned": len(plan.unassigned)}}))
"""


def _outcome(stdout: str) -> dict[str, int]:
    result: dict[str, int] = json.loads(stdout.strip().splitlines()[-1])
    return result


def _assert_valid_plan(result: dict[str, int]) -> None:
    assert result["hard"] == 0
    assert result["served"] + result["unassigned"] == result["jobs"]
    assert result["served"] > 0


def _run(args: list[str], cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=HANG_GUARD_S,
        check=False,
    )


def test_a_script_without_the_main_guard_gets_its_plan(tmp_path: Path) -> None:
    script = tmp_path / "unguarded.py"
    script.write_text(SCRIPT.format(seconds=RACE_S))
    done = _run([str(script)], cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    _assert_valid_plan(_outcome(done.stdout))


def test_a_script_read_from_standard_input_gets_its_plan(tmp_path: Path) -> None:
    done = _run(["-"], cwd=tmp_path, stdin=SCRIPT.format(seconds=RACE_S))
    assert done.returncode == 0, done.stderr[-2000:]
    _assert_valid_plan(_outcome(done.stdout))


def _solve_guarded(problem: Problem, params: SolveParams) -> Solution | None:
    """``solve()`` in a daemon thread, given up after ``HANG_GUARD_S`` (None: it hung)."""
    box: list[Solution] = []
    worker = threading.Thread(target=lambda: box.append(solve(problem, params)), daemon=True)
    worker.start()
    worker.join(HANG_GUARD_S)
    return box[0] if box else None


@pytest.mark.parametrize("child", ["dies", "never-reads"])
def test_solve_falls_back_to_its_own_engine_when_the_child_fails_at_start_up(
    child: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "broken-python"
    fake.write_text("#!/bin/sh\nexit 1\n" if child == "dies" else "#!/bin/sh\nexec sleep 600\n")
    fake.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(fake))
    problem = random_problem(70, 8, seed=1)
    params = SolveParams(time_limit_s=RACE_S, workers=2)
    assert lineup(problem, params).second, "the set-up must start a child"
    plan = _solve_guarded(problem, params)
    assert plan is not None, "solve() hung"
    assert hard(validate(problem, plan)) == []
    assert plan.routes and any(route.stops for route in plan.routes)
    # Only this process's own turns made candidates: nothing came from the broken child.
    assert plan.stats.details["candidate_plans"] == len(lineup(problem, params).here)
