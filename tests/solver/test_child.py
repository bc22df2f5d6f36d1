"""Running a function in a child process: results, failures, overruns, dead starts."""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from solver.child import Child, drop_spare, from_caller, prepare, start


def nap_then_answer(seconds: float, answer: int) -> int:
    time.sleep(seconds)
    return answer


def fail() -> None:
    raise RuntimeError("the child fails")


def die_at_once() -> None:
    os._exit(3)


def test_a_child_sends_back_what_its_function_returns() -> None:
    assert start(nap_then_answer, 0.0, 42).result(30.0) == 42


def answer_then_linger(answer: int) -> int:
    """Returns at once, but the interpreter takes a minute to exit."""
    atexit.register(time.sleep, 60.0)
    return answer


def test_a_result_counts_as_soon_as_it_is_written_not_when_the_child_exits() -> None:
    child = start(answer_then_linger, 7)
    assert child.result(20.0) == 7
    assert not child.running()


def test_a_failing_child_gives_none() -> None:
    child = start(fail)
    assert child.result(30.0) is None
    assert not child.running()


def test_an_overrunning_child_gives_none_and_is_ended() -> None:
    child = start(nap_then_answer, 60.0, 1)
    assert child.result(0.5) is None
    assert not child.running()
    assert not child.folder.exists()


def test_a_child_that_dies_does_not_block_the_caller_however_large_its_work() -> None:
    """32 MB of arguments, far beyond a pipe's buffer (they go over in a file)."""
    big = np.zeros((2000, 2000), dtype=np.int64)
    child = start(die_at_once, big)
    assert child.result(30.0) is None
    assert not child.running()


def test_a_child_interpreter_that_never_starts_its_work_is_ended(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stuck = tmp_path / "stuck-python"
    stuck.write_text("#!/bin/sh\nexec sleep 600\n")
    stuck.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(stuck))
    child = start(nap_then_answer, 0.0, 1)
    assert child.result(0.5) is None
    assert not child.running()


def test_a_child_that_cannot_be_started_gives_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    child = start(nap_then_answer, 0.0, 1)
    assert child.process is None
    assert child.result(30.0) is None


def test_children_left_running_are_ended_when_the_caller_exits(tmp_path: Path) -> None:
    script = (
        "from solver.child import start\n"
        "from tests.solver.test_child import nap_then_answer\n"
        "child = start(nap_then_answer, 600.0, 1)\n"
        "print(child.process.pid, child.folder, flush=True)\n"
        "raise SystemExit(0)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
        timeout=60,
        check=True,
    )
    pid, folder = done.stdout.split()
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid), 0)
    assert not Path(folder).exists()


def imported(module: str) -> bool:
    return module in sys.modules


@pytest.fixture
def no_spare() -> Iterator[None]:
    drop_spare()
    yield
    drop_spare()


SPARE_MODULE = "colorsys"
"""A module nothing here imports: in ``sys.modules`` only where a spare imported it."""


def test_a_spare_child_takes_the_next_work_with_its_modules_already_imported(
    no_spare: None,
) -> None:
    assert not start(imported, SPARE_MODULE).result(30.0), "a fresh child imports it"
    spare = prepare(SPARE_MODULE)
    assert spare is not None and spare.running()
    assert prepare(SPARE_MODULE) is None, "one spare at a time"
    child = start(imported, SPARE_MODULE)
    assert child is spare
    assert child.result(30.0) is True
    assert start(imported, SPARE_MODULE).result(30.0) is False, "a spare works once"


def test_a_dead_spare_gives_way_to_a_fresh_child(no_spare: None) -> None:
    spare = prepare(SPARE_MODULE)
    assert spare is not None and spare.process is not None
    spare.process.kill()
    spare.process.wait(30.0)
    child = start(nap_then_answer, 0.0, 5)
    assert child is not spare
    assert child.result(30.0) == 5


def test_a_spare_started_before_the_environment_changed_is_not_used(
    no_spare: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    spare = prepare(SPARE_MODULE)
    monkeypatch.setenv("FSDISPATCH_CHILD_TEST", "changed")
    child = start(imported, SPARE_MODULE)
    assert child is not spare
    assert child.result(30.0) is False


def test_a_spare_of_another_interpreter_is_not_used(
    no_spare: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spare = prepare(SPARE_MODULE)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    child = start(nap_then_answer, 0.0, 1)
    assert child is not spare and child.process is None
    monkeypatch.undo()
    assert start(imported, SPARE_MODULE).result(30.0) is True, "the spare is still there"


def test_a_spare_exits_when_its_caller_closes_the_pipe(no_spare: None) -> None:
    spare = prepare(SPARE_MODULE)
    assert spare is not None and spare.process is not None and spare.process.stdin
    spare.process.stdin.close()
    assert spare.process.wait(30.0) == 0
    spare.stop()


def test_two_callers_at_once_share_out_one_spare_and_both_get_their_results(
    no_spare: None,
) -> None:
    spare = prepare(SPARE_MODULE)
    children: list[Child] = []
    ready = threading.Barrier(2)

    def caller(answer: int) -> None:
        ready.wait()
        children.append(start(nap_then_answer, 0.0, answer))

    callers = [threading.Thread(target=caller, args=(n,)) for n in (1, 2)]
    for thread in callers:
        thread.start()
    for thread in callers:
        thread.join(30.0)
    assert len(children) == 2
    assert sum(child is spare for child in children) == 1
    assert sorted(child.result(30.0) for child in children) == [1, 2]


def wait_for_caller(wait_s: float, nap_s: float = 0.0) -> tuple[str, object]:
    """What the caller sent, tagged so that a failed child (None) is told apart."""
    time.sleep(nap_s)
    return ("received", from_caller(wait_s))


def test_a_running_child_takes_what_its_caller_sends() -> None:
    child = start(wait_for_caller, 30.0)
    time.sleep(0.3)
    assert child.send({"routes": [1, 2, 3]})
    assert child.result(30.0) == ("received", {"routes": [1, 2, 3]})


def test_of_two_messages_not_yet_taken_the_later_one_wins() -> None:
    child = start(wait_for_caller, 30.0, 1.0)
    assert child.send({"first": 1})
    assert child.send({"second": 2})
    assert child.result(30.0) == ("received", {"second": 2})


def test_a_child_sent_nothing_carries_on_after_its_wait() -> None:
    assert start(wait_for_caller, 0.2).result(30.0) == ("received", None)


def test_sending_to_a_child_that_is_gone_is_refused_and_outside_a_child_nothing_comes() -> None:
    child = start(die_at_once)
    assert child.result(30.0) is None
    assert not child.send("late")
    assert from_caller(0.0) is None
