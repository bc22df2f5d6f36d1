"""Recreate: put jobs back into a plan where they cost least (regret-2 or greedy insertion).

The second half of ruin and recreate (``solver.ruin``): the removed jobs and every job left
out are inserted by regret (the job whose best route beats its second best by the most goes
first; leaving a job out is an option at its drop price), each position priced exactly by
``solver.routes_eval``. Positions are tried in the order of a lower bound and skipped once
it loses; an insertion is re-computed for a changed route only when that route is among
the job's best two. A share of the moves (``RuinTuning.greedy_share``) inserts greedily
instead, one job after the other in a random order (SISR's recreate): more varied
(``docs/solver/ruin-and-recreate.md`` has what each of these buys).

With the compiled core (``solver/_routecost.c``) the regret loop, a job's options and the
memo run in C (``Core.regret``, ``Core.greedy``; the memo in ``solver/_memo.h``, the same
entries emptied at the same point as ``_inserts`` here), drawing the same random numbers
in the same order and breaking ties the same way: the same plans and route timings as
the Python loop below, which runs without the core or with ``RuinTuning.compiled =
False`` (``tests/solver/test_recreate.py``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from solver.problem import Problem
from solver.routes_eval import RouteEvaluator
from solver.tuning import RuinTuning

MEMO_ENTRIES = 400_000
"""Insertions kept in the memo at most (as before the per-route tables), bounding memory."""


_shuffle_checked: list[bool] = []
"""Whether the core's shuffle is Python's, once checked (one entry)."""


def _same_shuffle(core: Any) -> bool:
    """Whether the core's shuffle draws and orders as ``random.Random.shuffle`` does."""
    if not _shuffle_checked:
        same = True
        for size in (0, 1, 2, 7, 40, 300):
            python, compiled = random.Random(size), random.Random(size)
            a, b = list(range(size)), list(range(size))
            python.shuffle(a)
            core.shuffle(b, compiled.getrandbits)
            same = same and a == b and python.random() == compiled.random()
        _shuffle_checked.append(same)
    return _shuffle_checked[0]


@dataclass(slots=True)
class State:
    """A plan under search: job positions per vehicle, each route's cost, jobs left out."""

    routes: list[tuple[int, ...]]
    costs: list[int]
    unassigned: set[int]
    total: int = 0

    def copy(self) -> State:
        return State(list(self.routes), list(self.costs), set(self.unassigned), self.total)


@dataclass(slots=True)
class SearchStats:
    """What a ruin-and-recreate run did: moves, new best plans, and when they came."""

    iterations: int = 0
    improvements: int = 0
    evaluations: int = 0
    history: list[tuple[float, int]] = field(default_factory=list)


class Recreate:
    """Insertion into the plans of one problem; ``allowed[j]``: who may serve job j."""

    def __init__(
        self,
        problem: Problem,
        allowed: list[list[int]],
        seed: int,
        tuning: RuinTuning | None = None,
    ) -> None:
        self.problem = problem
        self.tuning = tuning or RuinTuning()
        self.ev = RouteEvaluator(
            problem, reuse_prefixes=self.tuning.reuse_prefixes, compiled=self.tuning.compiled
        )
        self.allowed = allowed
        self.seed = seed
        self.rng = random.Random(seed)
        self.drop = [problem.drop_price(j) for j in problem.jobs]
        self.pin = [-1] * len(problem.vehicles)
        positions = problem.job_positions()
        for v, vehicle in enumerate(problem.vehicles):
            if vehicle.first_job is not None:
                self.pin[v] = positions[vehicle.first_job]
        self.pinned = {j for j in self.pin if j >= 0}
        self.near = self._neighbours()
        starts = [v.start_location for v in problem.vehicles]
        dur, loc = self.ev.dur, self.ev.loc
        self.near_vans = [
            sorted(range(len(starts)), key=lambda v: dur[starts[v]][loc[j]])[: self.tuning.granular]
            for j in range(len(problem.jobs))
        ]
        #: The insertion memo: per route (vehicle, jobs), each job's best (extra, position)
        #: (the compiled core keeps its own: ``memo_tables``).
        self._inserts: dict[tuple[int, tuple[int, ...]], dict[int, tuple[int, int]]] = {}
        #: The memo's tables of the routes of the plan being recreated, by vehicle.
        self._live: list[dict[int, tuple[int, int]]] = []
        #: Per vehicle the route (the tuple itself) whose table ``_table`` gave last, and
        #: that table: most routes of a move are the tuples of the move before.
        self._last: list[tuple[tuple[int, ...], dict[int, tuple[int, int]]] | None] = [None] * len(
            problem.vehicles
        )
        #: Entries in the Python memo; it is emptied past ``MEMO_ENTRIES``.
        self._stored = 0
        self.stats = SearchStats()
        #: The compiled core's recreate (the Python loops below without it).
        self.core: Any = self.ev.core if self.tuning.bounds else None
        if self.core is not None:
            self.core.configure(self.pin, self.drop, MEMO_ENTRIES)
        #: ``random.Random.shuffle`` in C when it draws as Python's does here (checked).
        self._shuffle = self.rng.shuffle
        core = self.core
        self.core_shuffles = core is not None and _same_shuffle(core)
        if core is not None and self.core_shuffles:
            bits = self.rng.getrandbits
            self._shuffle = lambda x: core.shuffle(x, bits)
        #: Each job's drop price negated: the key of the most urgent first.
        self._urgent = [-d for d in self.drop]

    def _neighbours(self) -> list[list[int]]:
        """Each job's nearest jobs by travel time (string and related removals, pools)."""
        dur, loc = self.ev.dur, self.ev.loc
        n = len(loc)
        out = []
        for i in range(n):
            others = sorted((j for j in range(n) if j != i), key=lambda j: dur[loc[i]][loc[j]])
            out.append(others[: self.tuning.neighbours])
        return out

    def recreate(self, state: State, removed: list[int]) -> None:
        """Insert the removed jobs and those left out: by regret, or greedily at random.

        A share ``greedy_share`` of the moves inserts greedily, one job after the other
        in a random order (or the most urgent first), each where it costs least: SISR's
        recreate, less thorough than regret but more varied.
        """
        pool = self._pool(state, removed)
        if self.core is not None:
            self.core.live(state.routes)
        else:
            self._live = [self._table(v, seq) for v, seq in enumerate(state.routes)]
        if self.rng.random() < self.tuning.greedy_share:
            self._greedy(state, pool)
        else:
            self._regret(state, pool)

    def _greedy(self, state: State, pool: set[int]) -> None:
        order = sorted(pool)
        self._shuffle(order)
        if self.rng.random() < 0.5:
            order.sort(key=self._urgent.__getitem__)
        if self.core is not None:
            state.total += self.core.greedy(
                state.routes, state.costs, state.unassigned, order, self.allowed
            )
            self._count()
            return
        for j in order:
            opts = self._options(state, j, self.allowed[j])
            if opts and opts[0][0] < self.drop[j]:
                self._place(state, j, opts[0])

    def _count(self) -> None:
        """Add the compiled core's scans to the evaluations counted here."""
        self.ev.evaluations += self.core.scans()

    def _place(self, state: State, j: int, option: tuple[int, int, int]) -> None:
        delta, v, at = option
        seq = state.routes[v]
        state.routes[v] = (*seq[:at], j, *seq[at:])
        self._live[v] = self._table(v, state.routes[v])
        state.costs[v] += delta
        state.unassigned.discard(j)
        state.total += delta - self.drop[j]

    def _regret(self, state: State, pool: set[int]) -> None:
        """Regret-2: the job whose best route beats its second best by the most first.

        A job's regret is computed again only when a route among its best two took a
        job (``_fresh_top``); the others keep theirs, noise included.
        """
        near = self._near_routes(state)
        if self.core is not None:
            order = list(pool)  # the order the loop below iterates the set in
            state.total += self.core.regret(
                state.routes,
                state.costs,
                state.unassigned,
                order,
                [near(j) for j in order],
                self.rng.random,
            )
            self._count()
            return
        options = {j: self._options(state, j, near(j)) for j in pool}
        stale: dict[int, set[int]] = {j: set() for j in pool}
        regrets = {j: self._regret_of(j, options[j]) for j in pool}
        while pool:
            chosen = max(pool, key=regrets.__getitem__)
            pool.discard(chosen)
            opts = options.pop(chosen)
            if not opts or opts[0][0] >= self.drop[chosen]:
                continue
            self._place(state, chosen, opts[0])
            v = opts[0][1]
            for j in pool:
                stale[j].add(v)
                top = options[j]
                if (top and top[0][1] == v) or (len(top) > 1 and top[1][1] == v):
                    regrets[j] = self._regret_of(j, self._fresh_top(state, j, options, stale[j]))

    def _regret_of(self, j: int, opts: list[tuple[int, int, int]]) -> float:
        """What leaving ``j`` for later may cost: second best (or its drop) less the best."""
        drop = self.drop[j]
        best = opts[0][0] if opts else drop
        second = opts[1][0] if len(opts) > 1 else drop
        return min(second, drop) - best + self.rng.random()

    def _fresh_top(
        self,
        state: State,
        j: int,
        options: dict[int, list[tuple[int, int, int]]],
        stale: set[int],
    ) -> list[tuple[int, int, int]]:
        """``j``'s options with the best two up to date.

        A route that took a job since ``j``'s options were computed is *stale* for ``j``.
        Taking a job never makes a route cheaper to insert into (in all but odd cases of
        breaks), so a stale option below the best two cannot rise into them: only those
        are re-computed, which spares most of the work of regret insertion.
        """
        opts = options[j]
        while stale:
            top = [o[1] for o in opts[:2] if o[1] in stale]
            if not top:
                break
            for v in top:
                stale.discard(v)
                opts = self._refresh(state, j, opts, v)
            options[j] = opts
        return opts

    def _pool(self, state: State, removed: list[int]) -> set[int]:
        """The jobs to insert: the removed ones and those left out.

        With ``local_pool``, of the jobs left out before this move only those near a
        removed one: the others could only use room the ruin freed far from them (into
        an unchanged route they did not fit before).
        """
        if not self.tuning.local_pool or not removed:
            return set(state.unassigned)
        around = {k for j in removed for k in self.near[j]}
        return {j for j in state.unassigned if j in around or j in removed}

    def _near_routes(self, state: State) -> Callable[[int], list[int]]:
        """The routes worth trying for a job: all, or with ``granular`` the nearest ones.

        Granular: the routes that serve one of the job's nearest jobs, and the
        ``granular`` engineers who start nearest to it (so an idle one can take it).
        """
        if not self.tuning.granular:
            return self.allowed.__getitem__
        route_of = {k: v for v, seq in enumerate(state.routes) for k in seq}

        def near(j: int) -> list[int]:
            wanted = set(self.near_vans[j])
            wanted.update(route_of[k] for k in self.near[j] if k in route_of)
            return [v for v in self.allowed[j] if v in wanted]

        return near

    def _options(self, state: State, j: int, routes: list[int]) -> list[tuple[int, int, int]]:
        """(extra cost, vehicle, position): ``j``'s best position per route, cheapest first.

        The memo is read here directly (most lookups hit it), in the tables of the
        current routes: a call of ``_best_in`` per route, each hashing the route, was a
        third of a move's time.
        """
        found: list[tuple[int, int, int]] = []
        live = self._live
        for v in routes:
            best = live[v].get(j)
            if best is None:
                best = self._best_in(state, j, v)
                if best is None:
                    continue
            elif best[1] < 0:
                continue
            found.append((best[0], v, best[1]))
        found.sort()
        return found

    def _refresh(
        self, state: State, j: int, opts: list[tuple[int, int, int]], v: int
    ) -> list[tuple[int, int, int]]:
        kept = [o for o in opts if o[1] != v]
        best = self._best_in(state, j, v)
        if best is not None:
            kept.append((best[0], v, best[1]))
            kept.sort()
        return kept

    def _best_in(self, state: State, j: int, v: int) -> tuple[int, int] | None:
        """(extra cost, position) of the cheapest insertion of ``j`` into route ``v``."""
        table = self._live[v]
        found = table.get(j)
        if found is not None:
            return None if found[1] < 0 else found
        result = self._scan(j, v, state.routes[v], state.costs[v])
        table[j] = result if result is not None else (0, -1)
        self._stored += 1
        return result

    def _table(self, v: int, seq: tuple[int, ...]) -> dict[int, tuple[int, int]]:
        """The memo's table of route ``v`` serving ``seq`` (the memo emptied when large).

        The same tuple as last time for ``v`` gets the same table without hashing the
        route.
        """
        last = self._last[v]
        if last is not None and last[0] is seq:
            return last[1]
        key = (v, seq)
        table = self._inserts.get(key)
        if table is None:
            if self._stored > MEMO_ENTRIES:
                self._forget()
            table = self._inserts[key] = {}
        self._last[v] = (seq, table)
        return table

    def _forget(self) -> None:
        """Empty the memo, every table included (those of this move's routes too).

        The compiled core's memo empties the same way, so both time the same routes.
        """
        for table in (*self._inserts.values(), *self._live):
            table.clear()
        self._inserts.clear()
        self._stored = 0
        self._last = [None] * len(self._last)

    def memo_tables(self) -> dict[tuple[int, tuple[int, ...]], dict[int, tuple[int, int]]]:
        """The memo's entries by route (vehicle, jobs): the core's when it keeps them."""
        if self.core is not None:
            memo: dict[tuple[int, tuple[int, ...]], dict[int, tuple[int, int]]] = self.core.memo()
            return memo
        return self._inserts

    def _scan(self, j: int, v: int, seq: tuple[int, ...], base: int) -> tuple[int, int] | None:
        """Every position, most promising first, stopping once a lower bound loses.

        The bound of a position is its extra distance plus ``j``'s own lateness if it
        started as early as the stops and breaks before it allow (the stops after it only
        add to that); a position where even that breaks a hard rule is skipped.
        """
        ev = self.ev
        if ev.core is not None and self.tuning.bounds:
            places = self._places(j, v, seq)
            ev.evaluations += 1
            found: tuple[int, int] | None = ev.core.best_insertion(
                v, seq, j, base, places.start, places.stop
            )
            return found
        van = ev.vans[v]
        dist, dur, loc = ev.dist, ev.dur, ev.loc
        x, release, due, late = loc[j], ev.rel[j], ev.due[j], ev.late[j]
        done, hard_due = release + ev.svc[j], ev.hard[j]
        stops = [van.start_loc, *(loc[k] for k in seq), van.end_loc]
        latest = ev.latest_begins(v, seq)
        scored = []
        bounds = self.tuning.bounds
        for at in self._places(j, v, seq):
            if not bounds:
                scored.append((0, at))
                continue
            begin = ev.earliest_begin(v, seq[:at], j)
            if begin is None:
                continue
            if (hard_due and begin > due) or begin + done - release > van.limit:
                continue
            if begin + done - release + dur[x][stops[at + 1]] > latest[at]:
                continue  # the stops after it could not all be served any more
            extra = dist[stops[at]][x] + dist[x][stops[at + 1]] - dist[stops[at]][stops[at + 1]]
            scored.append((ev.dc * extra + late * max(0, begin - due), at))
        scored.sort()
        best: tuple[int, int] | None = None
        for bound, at in scored:
            if best is not None and bound >= best[0]:
                break
            cost = ev.cost(v, (*seq[:at], j, *seq[at:]))
            if cost is not None and (best is None or cost - base < best[0]):
                best = (cost - base, at)
        return best

    def _places(self, j: int, v: int, seq: tuple[int, ...]) -> range:
        """Positions open to ``j`` in route ``v``: a pinned first stop stays first."""
        pin = self.pin[v]
        if pin < 0:
            return range(len(seq) + 1)
        if j == pin:
            return range(0, 1 if not seq or seq[0] != pin else 0)
        return range(1, len(seq) + 1) if seq and seq[0] == pin else range(0)
