"""Ruin and recreate over exact route timing: the search that leaves OR-Tools' local optima.

OR-Tools' guided local search stalls on field days (issue 8): its 3 s and 60 s plans of
``normal`` sit in the same local optimum. This search starts from a plan (OR-Tools' first
one) and repeats: remove some jobs (*ruin*), put them and the jobs left out back where they
cost least (*recreate*), keep the result by simulated annealing. Every route is timed and
priced by ``solver.routes_eval.RouteEvaluator``, whose cost is the route's share of
``solver.validate.objective``: the search optimises the very number the engines are ranked
on, lunches, nights, overtime and lateness included.

* Ruin (one, chosen at random): **strings** (SISR, Christiaens & Vanden Berghe 2020:
  consecutive jobs cut from the routes nearest a seed job), **related** (a seed job and its
  nearest jobs wherever they are), **random** jobs, by the fixed shares of
  ``RuinTuning.removals``.
* Recreate: **regret-2** insertion (the job whose best route beats its second best by the
  most goes first; leaving a job out is an option at its drop price), every route and
  position tried, positions whose extra distance alone exceeds the best found skipped;
  on a share of the moves **greedy** insertion in a random order (SISR's recreate).
* Acceptance: simulated annealing, temperature calibrated on the first moves (the
  objective's scale ranges from metres to drop prices of 10^10) and cooled exponentially
  over the budget; the search returns to the best plan after a long stall.
* Recombination (``run_attempts``): the routes of every accepted plan go into a pool, and
  after the independent attempts a set-partitioning programme picks the best plan made of
  them (``solver.recombine``).

With ``max_iterations`` the cooling follows the iteration count and the run is
deterministic for a seed; under a time limit it follows the clock, so it is not.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import replace

from solver.ranking import best_of
from solver.recombine import Inbox, Outbox, Partition, RoutePool, recombine
from solver.recreate import Recreate, State
from solver.solution import Route, Solution, SolveStats

STRINGS, RELATED, RANDOM = range(3)
"""The removals, by index: ``RuinTuning.removals``' order."""


def _share(pool: RoutePool, lead: Outbox | Inbox | None) -> int:
    """Once the attempts are over: post the pool, or join the other worker's routes to it.

    How many routes were joined.
    """
    if isinstance(lead, Outbox):
        lead.flush(pool)
    elif isinstance(lead, Inbox):
        return pool.join(lead.receive(lead.wait_s))
    return 0


class RuinRecreate(Recreate):
    """The search over one problem; ``allowed[j]`` lists the vehicles that may serve job j."""

    _ruin_configured: bool = False
    #: Whether ``Core.move`` makes the moves: decided at the first move (tests swap the
    #: core after construction).
    _one_call: bool | None = None

    @property
    def avg_removed(self) -> int:
        """Jobs a ruin removes on average: ``avg_removed``, at most ``removed_share`` of all."""
        share = int(self.tuning.removed_share * len(self.problem.jobs))
        return max(2, min(self.tuning.avg_removed, share))

    # ---- state ------------------------------------------------------------------------

    def state_of(self, plan: Solution) -> State:
        """The search state of a valid plan; a route the evaluator cannot time is emptied."""
        positions = self.problem.job_positions()
        index = {v.id: i for i, v in enumerate(self.problem.vehicles)}
        routes: list[tuple[int, ...]] = [() for _ in self.problem.vehicles]
        for route in plan.routes:
            routes[index[route.vehicle_id]] = tuple(positions[j] for j in route.job_ids)
        state = State(routes, [0] * len(routes), set())
        for v, seq in enumerate(routes):
            cost = self.ev.cost(v, seq)
            if cost is None:
                state.unassigned.update(seq)
                state.routes[v], cost = (), self.ev.cost(v, ())
            state.costs[v] = cost or 0
        placed = {j for seq in state.routes for j in seq}
        state.unassigned |= set(range(len(self.problem.jobs))) - placed
        state.total = sum(state.costs) + sum(self.drop[j] for j in state.unassigned)
        return state

    def solution(self, state: State, seconds: float) -> Solution:
        jobs = self.problem.jobs
        routes: list[Route] = []
        for v, seq in enumerate(state.routes):
            route = self.ev.route(v, seq)
            if route is not None:
                routes.append(route)
        unassigned = tuple(jobs[j].id for j in sorted(state.unassigned))
        details = {
            "iterations": float(self.stats.iterations),
            "improvements": float(self.stats.improvements),
            "evaluations": float(self.ev.evaluations),
        }
        stats = SolveStats(state.total, seconds, "ruin-recreate", "solved", None, details)
        return Solution(tuple(routes), unassigned, stats)

    # ---- the loop ---------------------------------------------------------------------

    def run(self, start: Solution, seconds: float, max_iterations: int | None = None) -> Solution:
        """The best plan found from ``start`` in ``max_iterations`` moves, or ``seconds``.

        With ``max_iterations`` the temperature follows the moves made, so the result
        depends only on the seed, unless ``seconds`` run out first.
        """
        began = time.perf_counter()
        best = self._search(self.state_of(start), began, seconds, max_iterations)
        return self.solution(best, time.perf_counter() - began)

    def _search(
        self,
        current: State,
        began: float,
        seconds: float,
        max_iterations: int | None,
        pool: RoutePool | None = None,
    ) -> State:
        """``run``'s loop: the best state found from ``current``; ``pool`` gets its routes."""
        best = current.copy()
        worse: list[int] = []
        t0, tune = 0.0, self.tuning
        stall = made = 0
        while True:
            done = self._progress(began, seconds, max_iterations, made)
            late = done >= 1.0 or time.perf_counter() - began >= seconds
            if late and (made or not current.unassigned):
                break  # one move at least when jobs are left out: it inserts them
            made += 1
            self.stats.iterations += 1
            candidate = current.copy()
            self._move(candidate)
            delta = candidate.total - current.total
            if len(worse) < tune.calibration_moves:
                if delta > 0:
                    worse.append(delta)
                if len(worse) == tune.calibration_moves:
                    t0 = tune.t0_share * sorted(worse)[len(worse) // 2]
                accept = delta <= 0
            else:
                temperature = t0 * tune.cooling**-done
                accept = delta <= 0 or (
                    temperature > 0 and self.rng.random() < math.exp(-delta / temperature)
                )
            if accept:
                if pool is not None:
                    pool.add(candidate, current)
                current = candidate
            if current.total < best.total:
                best, stall = current.copy(), 0
                self.stats.improvements += 1
                self.stats.history.append((time.perf_counter() - began, best.total))
            else:
                stall += 1
            if stall >= tune.restart_after:
                current, stall = best.copy(), 0
        if pool is not None:
            pool.keep(best)
        return best

    def _progress(
        self, began: float, seconds: float, max_iterations: int | None, made: int
    ) -> float:
        if max_iterations is not None:
            return made / max_iterations if max_iterations else 1.0
        return (time.perf_counter() - began) / seconds if seconds > 0 else 1.0

    def run_attempts(
        self,
        start: Solution,
        seconds: float,
        max_iterations: int | None,
        attempts: int,
        lead: Outbox | Inbox | None = None,
    ) -> Solution:
        """The best of ``attempts`` independent runs from ``start``, and of their routes.

        On ``storm`` days a run's basin (how many jobs it leaves out) is settled by where
        its cooling ends, about as often right after 20,000 moves as after 60,000; several
        shorter runs are several draws (``docs/solver/ruin-and-recreate.md``, session 7).
        Each attempt has an equal share of the time (or moves) left; the first draws the
        search's own random numbers, so one attempt is ``run`` itself. Then, with
        ``RuinTuning.recombine``, the best plan made of the routes the attempts accepted
        (``solver.recombine``), in the time kept for it.

        ``lead`` pairs two workers' pools (``solver.recombine``): with an ``Outbox`` this
        worker posts its pool when the other one asks for it; with an ``Inbox`` it stops
        exploring at ``Inbox.at`` and recombines its routes with those it is sent, the
        other worker's best plan as the programme's hint when it is the better one.
        """
        began, tune = time.perf_counter(), self.tuning
        attempts = max(1, attempts)
        kept = tune.recombine_seconds(seconds)
        if isinstance(lead, Inbox):
            kept = min(seconds, max(0.0, seconds - (lead.at - time.time())))
        pool = RoutePool(tune.pool_limit) if tune.recombine else None
        if pool is not None and isinstance(lead, Outbox):
            pool.outbox = lead
        states: list[State] = []
        for attempt in range(attempts):
            if attempt:
                self.rng.seed(f"{self.seed}/{attempt}")
            left = attempts - attempt
            share = max(0.0, seconds - kept - (time.perf_counter() - began)) / left
            moves = None if max_iterations is None else max_iterations // attempts
            first = self.state_of(start)
            states.append(self._search(first, time.perf_counter(), share, moves, pool))
        plans = [self.solution(state, time.perf_counter() - began) for state in states]
        joined = 0
        if pool is not None:
            joined = _share(pool, lead)
            # The hint: the best attempt's plan, or the other worker's best if it is better.
            seen = [pool.best] if joined and pool.best is not None else []
            best_state = min([*states, *seen], key=lambda s: s.total)
            plans += [self.solution(state, 0.0) for state in seen]
            time_left = seconds - (time.perf_counter() - began)
            plans += self._recombined(pool, best_state, time_left, max_iterations is not None)
        best = best_of(self.problem, plans) or plans[0]
        details = {**best.stats.details, "iterations": float(self.stats.iterations)}
        details["attempts"] = float(attempts)
        details["joined_routes"] = float(joined)
        stats = replace(best.stats, wall_seconds=time.perf_counter() - began, details=details)
        return replace(best, stats=stats)

    def _recombined(
        self, pool: RoutePool, best: State, seconds: float, counted: bool
    ) -> list[Solution]:
        """The pool's best plan when it beats ``best``, within ``seconds`` (``recombine``)."""
        began = time.perf_counter()
        # An engineer with a pinned first job keeps a route: staying home would drop it.
        empties = [None if pin >= 0 else self.ev.cost(v, ()) for v, pin in enumerate(self.pin)]
        nodes = self.tuning.recombine_nodes if counted else None
        routes = len(pool)
        cliques = self.tuning.recombine_clique_cuts
        found = recombine(pool, Partition(empties, self.drop), best, seconds, nodes, cliques)
        if found is None:
            return []
        plan = self.solution(found, time.perf_counter() - began)
        details = {**plan.stats.details, "pool_routes": float(routes)}
        details["recombined_gain"] = float(best.total - found.total)
        return [replace(plan, stats=replace(plan.stats, details=details))]

    # ---- one move -----------------------------------------------------------------------

    def _move(self, state: State) -> None:
        """Ruin ``state``, then recreate it: in one call of the compiled core when it can.

        ``Core.move`` (``solver/_move.h``) makes the product's moves (no granular routes,
        no local pool) with the same draws as ``_ruin`` then ``recreate``, for 1–7 % less
        CPU a move (``docs/solver/ruin-and-recreate.md``, session 10).
        """
        if self._one_call is None:
            self._one_call = self._whole_move_compiled()
        if not self._one_call:
            self.recreate(state, self._ruin(state))
            return
        args = self._ruin_args(state)
        state.total += self.core.move(*args, self.allowed, self.tuning.greedy_share)
        self._count()

    def _whole_move_compiled(self) -> bool:
        """Whether ``Core.move`` makes this search's moves.

        Not for a subclass with its own ``_ruin`` or ``recreate`` (an experiment's): the
        core would bypass them.
        """
        tune = self.tuning
        return (
            self.core is not None
            and tune.compiled_ruin
            and tune.compiled_move
            and not tune.granular
            and not tune.local_pool
            and self.core_shuffles
            and type(self)._ruin is RuinRecreate._ruin
            and type(self).recreate is Recreate.recreate
        )

    # ---- ruin -------------------------------------------------------------------------

    def _ruin(self, state: State) -> list[int]:
        """Remove jobs from ``state`` by one of the removals; the jobs removed."""
        if self.core is not None and self.tuning.compiled_ruin:
            return self._ruin_compiled(state)
        assigned = list(itertools.chain.from_iterable(state.routes))
        if self.pinned:
            assigned = [j for j in assigned if j not in self.pinned]
        if not assigned:
            return []
        removal = self._choose()
        if removal == STRINGS:
            removed = self._strings(state, assigned)
        elif removal == RELATED:
            removed = self._related(assigned)
        else:
            count = self.rng.randint(1, min(len(assigned), 2 * self.avg_removed))
            removed = self.rng.sample(assigned, count)
        self._remove(state, set(removed))
        return removed

    def _ruin_compiled(self, state: State) -> list[int]:
        """``_ruin`` in C (``solver/_ruin.h``): the same draws, so the same plans.

        In Python the removal was 40 % of a move on ``storm``; in C a move is 1.6 to 3.0
        times as fast (``docs/solver/ruin-and-recreate.md``, session 8).
        """
        done = self.core.ruin(*self._ruin_args(state))
        if done is None:
            return []
        removed: list[int]
        _, removed, change = done
        state.total += change
        return removed

    def _ruin_args(self, state: State) -> tuple[object, ...]:
        """What the core's ``ruin`` (and ``move``) take first: the plan, the draws, the cache."""
        if not self._ruin_configured:
            self._configure_ruin()
        rng = self.rng
        return (
            state.routes,
            state.costs,
            state.unassigned,
            rng.random,
            rng.getrandbits,
            self.ev.cost_cache,
        )

    def _configure_ruin(self) -> None:
        """Give the compiled core what the removals need: neighbours, pins, sizes, shares."""
        weights = self.tuning.removals
        shares = (weights[0], weights[0] + weights[1], sum(weights))
        pinned = [int(j in self.pinned) for j in range(len(self.problem.jobs))]
        self.core.configure_ruin(
            self.near,
            pinned,
            self.avg_removed,
            self.tuning.max_string,
            shares,
            self.ev.cost_cache_size,
        )
        self._ruin_configured = True

    def _choose(self) -> int:
        """The removal of this move: by the adapted weights, or the fixed shares."""
        weights = self.tuning.removals
        pick = self.rng.random() * sum(weights)
        if pick < weights[0]:
            return STRINGS
        return RELATED if pick < weights[0] + weights[1] else RANDOM

    def _strings(self, state: State, assigned: list[int]) -> list[int]:
        """SISR string removal: cut strings around the seed's nearest jobs' positions."""
        route_of = {j: v for v, seq in enumerate(state.routes) for j in seq}
        routes = state.routes
        stops, used = sum(map(len, routes)), len(routes) - routes.count(())
        longest = max(1, min(self.tuning.max_string, stops // used))
        strings = self.rng.randint(1, max(1, int(4 * self.avg_removed / (1 + longest)) - 1))
        seed = self.rng.choice(assigned)
        removed: list[int] = []
        ruined: set[int] = set()
        for j in [seed, *self.near[seed]]:
            if len(ruined) >= strings:
                break
            v = route_of.get(j)
            if v is None or v in ruined:
                continue
            seq = state.routes[v]
            size = self.rng.randint(1, max(1, min(len(seq), longest)))
            at = seq.index(j)
            first = self.rng.randint(max(0, at - size + 1), min(at, len(seq) - size))
            removed += [k for k in seq[first : first + size] if k not in self.pinned]
            ruined.add(v)
        return removed

    def _related(self, assigned: list[int]) -> list[int]:
        count = self.rng.randint(2, 2 * self.avg_removed)
        seed = self.rng.choice(assigned)
        members = set(assigned)
        return [seed, *(j for j in self.near[seed] if j in members)][:count]

    def _remove(self, state: State, removed: set[int]) -> None:
        for v, seq in enumerate(state.routes):
            if not removed.isdisjoint(seq):
                kept = tuple(j for j in seq if j not in removed)
                cost = self.ev.cost(v, kept)
                if cost is None:  # removing a job broke the timing: keep the route as it was
                    removed.difference_update(seq)
                    continue
                state.total += cost - state.costs[v]
                state.routes[v], state.costs[v] = kept, cost
        state.unassigned |= removed
        state.total += sum(self.drop[j] for j in removed)
