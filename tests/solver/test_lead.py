"""The lead: the second worker recombines its routes with those the first worker posts.

The channel is real (a child process, ``solver.child``); plans are checked by the
independent validator. ``test_recombine`` checks, in one process, that the joined
programme's plan is never worse than either worker's.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

import solver.engine
from solver import solve
from solver.child import Child, from_caller, start
from solver.recombine import Inbox, Outbox, PostedPool
from solver.solution import Solution
from solver.strategy import NobodyMoves, RuinAndRecreate, Turns, take_turns
from solver.tuning import EngineTuning, Tuning
from solver.validate import hard, validate
from tests.solver.conftest import quick, random_problem

DAY = random_problem(20, 3, seed=6)
PARAMS = quick(time_limit_s=3.0, solution_limit=None, workers=2)


def turns(lead: Outbox | Inbox) -> Turns:
    return ((NobodyMoves(), 0.0), (RuinAndRecreate(seed_offset=1, lead=lead), 1.0))


def second_worker(at: float, ends_at: float, wait_s: float) -> Child:
    inbox = Inbox(from_caller, at, wait_s)
    return start(take_turns, DAY, PARAMS, turns(inbox), ends_at)


def test_the_second_worker_recombines_the_routes_its_caller_posts() -> None:
    began = time.time()
    child = second_worker(began + 1.2, began + 3.0, wait_s=5.0)
    sent: list[int] = []

    def send(posted: PostedPool) -> None:
        sent.append(len(posted.routes))
        child.send(posted)

    take_turns(DAY, PARAMS, turns(Outbox(send, began + 1.2)), began + 2.5)
    received = child.result(30.0)
    assert isinstance(received, list)
    plan = received[-1]
    assert isinstance(plan, Solution)
    assert len(sent) == 1 and sent[0] > 0
    assert plan.stats.details["joined_routes"] == sent[0]
    assert hard(validate(DAY, plan)) == []


def test_a_second_worker_sent_nothing_carries_on_with_its_own_routes() -> None:
    began = time.time()
    child = second_worker(began + 1.0, began + 2.5, wait_s=0.3)
    received = child.result(30.0)
    assert isinstance(received, list)
    plan = received[-1]
    assert isinstance(plan, Solution)
    assert plan.stats.details["joined_routes"] == 0
    assert hard(validate(DAY, plan)) == []


def test_a_post_to_a_second_worker_that_died_does_not_stop_the_first() -> None:
    dead = start(time.sleep, -1.0)
    assert dead.result(30.0) is None
    began = time.time()
    plan = take_turns(DAY, PARAMS, turns(Outbox(dead.send, began)), began + 1.0)[-1]
    assert hard(validate(DAY, plan)) == []


def started_turns(monkeypatch: pytest.MonkeyPatch, tuning: Tuning) -> tuple[Turns, Turns]:
    """The turns ``solve`` gives the second worker and this one (no process is started)."""
    given: list[Turns] = []

    def no_child(target: object, day: object, params: object, second: Turns, *_: object) -> Child:
        given.append(second)
        return Child(None, Path("/nonexistent"))

    def turns_here(day: object, params: object, here: Turns, ends_at: float) -> list[Solution]:
        given.append(here)
        return []

    monkeypatch.setattr(solver.engine, "start", no_child)
    monkeypatch.setattr(solver.engine, "take_turns", turns_here)
    monkeypatch.setattr(solver.engine, "ready_spare", lambda: None)
    solve(DAY, replace(PARAMS, tuning=tuning))
    second, here = given
    return second, here


def leads(turns: Turns) -> list[object]:
    return [s.lead for s, _ in turns if isinstance(s, RuinAndRecreate)]


def test_a_race_of_two_ruin_and_recreate_workers_pairs_their_pools_at_one_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    began = time.time()
    second, here = started_turns(monkeypatch, Tuning())
    [inbox], [outbox] = leads(second), leads(here)
    assert isinstance(inbox, Inbox) and isinstance(outbox, Outbox)
    assert inbox.at == outbox.at
    engine = EngineTuning()
    child_ends = began + PARAMS.time_limit_s - engine.send_s
    assert inbox.at == pytest.approx(child_ends - engine.lead_seconds(3.0), abs=0.5)
    assert began < inbox.at < child_ends


def test_without_the_lead_neither_worker_shares_its_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    off = Tuning(engine=replace(EngineTuning(), lead=False))
    second, here = started_turns(monkeypatch, off)
    assert leads(second) == [None] and leads(here) == [None]
