"""Recombining the routes the search has seen: the set-partitioning step after the attempts.

The programme's answer is checked against a brute force over every combination of pooled
routes, and the product's plans against the independent validator.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import solver.ruin
from solver.recombine import Inbox, Outbox, Partition, PostedPool, RoutePool, recombine
from solver.recreate import State
from solver.ruin import RuinRecreate
from solver.search import allowed_for, empty_solution
from solver.tuning import RuinTuning
from solver.validate import hard, objective, validate
from tests.solver.conftest import pinned_re_plan, quick, random_problem

JOBS, VEHICLES = 5, 2


Choice = tuple[tuple[tuple[int, ...], int], ...]
"""One (route, cost) per vehicle."""


def every_plan(pool: RoutePool, partition: Partition) -> list[tuple[int, Choice]]:
    """Every choice of one pooled route (or none) per vehicle serving no job twice, by total."""
    columns = {**pool.routes, **pool.kept}
    options: list[list[tuple[tuple[int, ...], int]]] = []
    for v, empty in enumerate(partition.empty_costs):
        own = [(seq, cost) for (u, seq), cost in columns.items() if u == v]
        options.append(own + ([((), empty)] if empty is not None else []))
    plans = []
    for choice in itertools.product(*options):
        served = [j for seq, _ in choice for j in seq]
        if len(served) != len(set(served)):
            continue
        total = sum(cost for _, cost in choice)
        total += sum(partition.drop[j] for j in range(JOBS) if j not in served)
        plans.append((total, choice))
    return sorted(plans, key=lambda plan: plan[0])


def brute_force(pool: RoutePool, partition: Partition) -> int:
    """The least total over every choice of one pooled route (or none) per vehicle."""
    return every_plan(pool, partition)[0][0]


def state_of(routes: list[tuple[int, ...]], costs: list[int], partition: Partition) -> State:
    served = {j for seq in routes for j in seq}
    left_out = set(range(JOBS)) - served
    return State(routes, costs, left_out, sum(costs) + sum(partition.drop[j] for j in left_out))


def pool_of(seen: list[tuple[int, tuple[int, ...], int]]) -> RoutePool:
    """A pool of the generated routes, the cheapest cost of each (vehicle, route) kept."""
    pool = RoutePool(limit=100)
    for v, seq, cost in seen:
        pool.routes[(v, seq)] = min(cost, pool.routes.get((v, seq), cost))
    return pool


routes = st.lists(st.integers(0, JOBS - 1), min_size=1, max_size=3, unique=True).map(tuple)
pools = st.lists(st.tuples(st.integers(0, VEHICLES - 1), routes, st.integers(1, 500)), max_size=9)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools, st.lists(st.integers(50, 400), min_size=JOBS, max_size=JOBS), st.booleans())
def test_the_programme_finds_the_least_combination_of_pooled_routes(
    seen: list[tuple[int, tuple[int, ...], int]], drop: list[int], clique_cuts_only: bool
) -> None:
    """With SCIP's clique cuts only (the product) or every separator, the least is found."""
    partition = Partition([0] * VEHICLES, drop)
    pool = pool_of(seen)
    incumbent = state_of([()] * VEHICLES, [0] * VEHICLES, partition)
    pool.keep(incumbent)
    least = brute_force(pool, partition)
    found = recombine(pool, partition, incumbent, 10.0, clique_cuts_only=clique_cuts_only)
    if least == incumbent.total:
        assert found is None
        return
    assert found is not None
    assert found.total == least
    served = [j for seq in found.routes for j in seq]
    assert len(served) == len(set(served))
    assert found.unassigned == set(range(JOBS)) - set(served)
    for v, seq in enumerate(found.routes):
        assert found.costs[v] == ({**pool.routes, **pool.kept}[(v, seq)] if seq else 0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools, st.lists(st.integers(50, 400), min_size=JOBS, max_size=JOBS), st.data())
def test_from_any_pooled_plan_the_programme_still_finds_the_least(
    seen: list[tuple[int, tuple[int, ...], int]], drop: list[int], data: st.DataObject
) -> None:
    """The hint is any plan of the pool, the best one included: the answer is the least."""
    partition = Partition([0] * VEHICLES, drop)
    pool = pool_of(seen)
    plans = every_plan(pool, partition)
    total, choice = plans[data.draw(st.integers(0, len(plans) - 1))]
    incumbent = state_of([seq for seq, _ in choice], [cost for _, cost in choice], partition)
    found = recombine(pool, partition, incumbent, seconds=10.0)
    least = plans[0][0]
    if least == total:
        assert found is None
    else:
        assert found is not None and found.total == least


def test_a_cheaper_order_of_the_same_jobs_stands_for_them_and_kept_routes_stay() -> None:
    partition = Partition([0, 0], [100] * JOBS)
    pool = RoutePool(limit=4)
    best = state_of([(0, 1), ()], [30, 0], partition)
    pool.keep(best)
    for cost, seq in enumerate([(2,), (3,), (4,), (2, 3), (3, 2)]):
        pool.routes[(1, seq)] = 10 + cost
    assert pool.distinct()[(1, (2, 3))] == 13
    assert (1, (3, 2)) not in pool.distinct()
    pool.add(state_of([(0, 1), (4, 2)], [30, 5], partition), best)
    assert len(pool.routes) <= 4
    assert (1, (4, 2)) in pool.routes and (1, (2,)) not in pool.routes
    assert (0, (0, 1)) in pool.kept


def test_an_engineer_who_cannot_stay_home_keeps_a_route() -> None:
    partition = Partition([None, 0], [100] * JOBS)
    pool = RoutePool(limit=100)
    incumbent = state_of([(0,), ()], [500, 0], partition)
    pool.keep(incumbent)
    pool.routes[(1, (0,))] = 1
    pool.routes[(0, (1, 2))] = 60
    found = recombine(pool, partition, incumbent, seconds=10.0)
    assert found is not None
    assert found.routes == [(1, 2), (0,)]
    assert found.total == 60 + 1 + 200


def search(seed: int, tuning: RuinTuning) -> RuinRecreate:
    p = random_problem(26, 4, seed=11)
    return RuinRecreate(p, allowed_for(p, quick()), seed, tuning)


def test_recombined_plans_are_valid_and_never_worse_than_the_best_attempt() -> None:
    gains = 0
    for seed in range(4):
        on = search(seed, RuinTuning())
        off = search(seed, replace(RuinTuning(), recombine=False))
        start = empty_solution(on.problem, 0.0)
        recombined = on.run_attempts(start, 60.0, 90, attempts=3)
        attempts = off.run_attempts(start, 60.0, 90, attempts=3)
        assert hard(validate(on.problem, recombined)) == []
        assert recombined.stats.objective == objective(on.problem, recombined)
        assert objective(on.problem, recombined) <= objective(on.problem, attempts)
        gains += objective(on.problem, recombined) < objective(on.problem, attempts)
        again = search(seed, RuinTuning()).run_attempts(start, 60.0, 90, attempts=3)
        assert [r.job_ids for r in again.routes] == [r.job_ids for r in recombined.routes]
    assert gains >= 1


def test_an_engineer_with_a_pinned_first_job_is_never_given_the_empty_route(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    p = pinned_re_plan()
    given: list[Partition] = []

    def recorded(pool: RoutePool, partition: Partition, *args: object) -> State | None:
        given.append(partition)
        return recombine(pool, partition, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(solver.ruin, "recombine", recorded)
    rr = RuinRecreate(p, allowed_for(p, quick()), 0)
    plan = rr.run_attempts(empty_solution(p, 0.0), 60.0, 60, attempts=3)
    assert [partition.empty_costs[0] for partition in given] == [None]
    assert given[0].empty_costs[1] is not None
    assert hard(validate(p, plan)) == []
    a = plan.route_of("a")
    assert a is not None and a.job_ids[0] == "far"


def test_a_pool_posts_itself_once_when_its_time_has_come_or_its_search_ends() -> None:
    posted: list[PostedPool] = []
    outbox = Outbox(posted.append, at=time.time() + 3600)
    pool = RoutePool(limit=100, outbox=outbox)
    pool.add(State([(0, 1), ()], [5, 0], {2}, 5))
    assert posted == []
    outbox.flush(pool)
    pool.add(State([(0,), (1, 2)], [3, 4], set(), 7))
    outbox.flush(pool)
    assert [p.routes for p in posted] == [{(0, (0, 1)): 5, (1, ()): 0}]
    due = RoutePool(limit=100, outbox=Outbox(posted.append, at=time.time()))
    due.add(State([(2,), ()], [6, 0], {0, 1}, 6))
    due.add(State([(2, 1), ()], [8, 0], {0}, 8))
    assert [p.routes for p in posted[1:]] == [{(0, (2,)): 6, (1, ()): 0}]


def test_a_pool_posts_its_best_plan_and_takes_the_others_only_if_better() -> None:
    pool = RoutePool(limit=100)
    worse, better = State([(0, 1), ()], [9, 0], {2}, 9), State([(0,), (1, 2)], [3, 4], set(), 7)
    pool.add(worse)
    pool.add(better)
    pool.add(worse)
    better.routes[0] = (2,)
    sent = pool.posted()
    assert sent.best is not None and sent.best.routes == [(0,), (1, 2)]
    other = RoutePool(limit=100)
    other.add(State([(1,), ()], [8, 0], {0, 2}, 8))
    assert other.join(sent) == 4
    assert other.best is sent.best
    assert (1, (1, 2)) in other.distinct()
    cheaper = State([(0, 1, 2), ()], [5, 0], set(), 5)
    other.add(cheaper)
    other.join(sent)
    assert other.best is not None and other.best.total == 5


def test_a_worker_that_joins_the_other_workers_routes_is_never_worse_than_either() -> None:
    """The second worker's plan beats or equals both workers' own; better than both sometimes.

    Better than both is only possible by combining routes of the two pools.
    """
    gains = 0
    for seed in range(4):
        first, second = search(seed, RuinTuning()), search(seed + 10, RuinTuning())
        start = empty_solution(first.problem, 0.0)
        posted: list[PostedPool] = []
        outbox = Outbox(posted.append, at=time.time() + 3600)
        lead = first.run_attempts(start, 60.0, 90, attempts=3, lead=outbox)
        assert len(posted) == 1
        inbox = Inbox(lambda wait_s, sent=posted[0]: sent, at=time.time() + 30.0, wait_s=0.0)
        joined = second.run_attempts(start, 60.0, 90, attempts=3, lead=inbox)
        alone = search(seed + 10, RuinTuning()).run_attempts(start, 60.0, 90, attempts=3)
        assert hard(validate(first.problem, joined)) == []
        assert joined.stats.objective == objective(first.problem, joined)
        assert objective(first.problem, joined) <= objective(first.problem, lead)
        assert objective(first.problem, joined) <= objective(first.problem, alone)
        either = min(objective(first.problem, lead), objective(first.problem, alone))
        gains += objective(first.problem, joined) < either
    assert gains >= 1


def test_a_worker_sent_nothing_or_garbage_recombines_its_own_routes() -> None:
    start = empty_solution(search(0, RuinTuning()).problem, 0.0)
    alone = search(3, RuinTuning()).run_attempts(start, 60.0, 90, attempts=3)
    for sent in (None, "not routes", ({(0, (1,)): 1}, None)):
        inbox = Inbox(lambda wait_s, sent=sent: sent, at=time.time() + 30.0, wait_s=0.0)
        plan = search(3, RuinTuning()).run_attempts(start, 60.0, 90, attempts=3, lead=inbox)
        assert [r.job_ids for r in plan.routes] == [r.job_ids for r in alone.routes]
