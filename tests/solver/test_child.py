"""Running a function in a spawned child process: results, failures, overruns."""

from __future__ import annotations

import time

from solver.child import start


def nap_then_answer(seconds: float, answer: int) -> int:
    time.sleep(seconds)
    return answer


def fail() -> None:
    raise RuntimeError("the child fails")


def test_a_child_sends_back_what_its_function_returns() -> None:
    assert start(nap_then_answer, 0.0, 42).result(30.0) == 42


def test_a_failing_child_gives_none() -> None:
    child = start(fail)
    assert child.result(30.0) is None
    assert not child.process.is_alive()


def test_an_overrunning_child_gives_none_and_is_ended() -> None:
    child = start(nap_then_answer, 60.0, 1)
    assert child.result(0.5) is None
    assert not child.process.is_alive()
