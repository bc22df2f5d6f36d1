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
  nearest jobs wherever they are), **random** jobs.
* Recreate: **regret-2** insertion (the job whose best route beats its second best by the
  most goes first; leaving a job out is an option at its drop price), every route and
  position tried, positions whose extra distance alone exceeds the best found skipped.
* Acceptance: simulated annealing, temperature calibrated on the first moves (the
  objective's scale ranges from metres to drop prices of 10^10) and cooled exponentially
  over the budget; the search returns to the best plan after a long stall.

With ``max_iterations`` the cooling follows the iteration count and the run is
deterministic for a seed; under a time limit it follows the clock, so it is not.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from solver.problem import Problem
from solver.routes_eval import RouteEvaluator
from solver.solution import Route, Solution, SolveStats
from solver.tuning import RuinTuning


@dataclass(slots=True)
class _State:
    """A plan under search: job positions per vehicle, each route's cost, jobs left out."""

    routes: list[tuple[int, ...]]
    costs: list[int]
    unassigned: set[int]
    total: int = 0

    def copy(self) -> _State:
        return _State(list(self.routes), list(self.costs), set(self.unassigned), self.total)


@dataclass(slots=True)
class SearchStats:
    iterations: int = 0
    improvements: int = 0
    evaluations: int = 0
    history: list[tuple[float, int]] = field(default_factory=list)


class RuinRecreate:
    """The search over one problem; ``allowed[j]`` lists the vehicles that may serve job j."""

    def __init__(
        self,
        problem: Problem,
        allowed: list[list[int]],
        seed: int,
        tuning: RuinTuning | None = None,
    ) -> None:
        self.problem = problem
        self.tuning = tuning or RuinTuning()
        self.ev = RouteEvaluator(problem, reuse_prefixes=self.tuning.reuse_prefixes)
        self.allowed = allowed
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
        self._inserts: dict[tuple[int, int, tuple[int, ...]], tuple[int, int]] = {}
        self.stats = SearchStats()

    def _neighbours(self) -> list[list[int]]:
        dur, loc = self.ev.dur, self.ev.loc
        n = len(loc)
        out = []
        for i in range(n):
            others = sorted((j for j in range(n) if j != i), key=lambda j: dur[loc[i]][loc[j]])
            out.append(others[: self.tuning.neighbours])
        return out

    # ---- state ------------------------------------------------------------------------

    def state_of(self, plan: Solution) -> _State:
        """The search state of a valid plan; a route the evaluator cannot time is emptied."""
        positions = self.problem.job_positions()
        index = {v.id: i for i, v in enumerate(self.problem.vehicles)}
        routes: list[tuple[int, ...]] = [() for _ in self.problem.vehicles]
        for route in plan.routes:
            routes[index[route.vehicle_id]] = tuple(positions[j] for j in route.job_ids)
        state = _State(routes, [0] * len(routes), set())
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

    def solution(self, state: _State, seconds: float) -> Solution:
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
        current = self.state_of(start)
        best = current.copy()
        worse: list[int] = []
        t0, tune = 0.0, self.tuning
        stall = 0
        while True:
            done = self._progress(began, seconds, max_iterations)
            late = done >= 1.0 or time.perf_counter() - began >= seconds
            if late and (self.stats.iterations or not current.unassigned):
                break  # one move at least when jobs are left out: it inserts them
            self.stats.iterations += 1
            candidate = current.copy()
            self._recreate(candidate, self._ruin(candidate))
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
                current = candidate
            if current.total < best.total:
                best, stall = current.copy(), 0
                self.stats.improvements += 1
                self.stats.history.append((time.perf_counter() - began, best.total))
            else:
                stall += 1
            if stall >= tune.restart_after:
                current, stall = best.copy(), 0
        return self.solution(best, time.perf_counter() - began)

    def _progress(self, began: float, seconds: float, max_iterations: int | None) -> float:
        if max_iterations is not None:
            return self.stats.iterations / max_iterations if max_iterations else 1.0
        return (time.perf_counter() - began) / seconds if seconds > 0 else 1.0

    # ---- ruin -------------------------------------------------------------------------

    def _ruin(self, state: _State) -> list[int]:
        """Remove jobs from ``state`` by one of the removals; the jobs removed."""
        assigned = [j for seq in state.routes for j in seq if j not in self.pinned]
        if not assigned:
            return []
        weights = self.tuning.removals
        pick = self.rng.random() * sum(weights)
        if pick < weights[0]:
            removed = self._strings(state, assigned)
        elif pick < weights[0] + weights[1]:
            removed = self._related(assigned)
        else:
            count = self.rng.randint(1, min(len(assigned), 2 * self.tuning.avg_removed))
            removed = self.rng.sample(assigned, count)
        self._remove(state, set(removed))
        return removed

    def _strings(self, state: _State, assigned: list[int]) -> list[int]:
        """SISR string removal: cut strings around the seed's nearest jobs' positions."""
        route_of = {j: v for v, seq in enumerate(state.routes) for j in seq}
        lengths = [len(seq) for seq in state.routes if seq]
        longest = max(1, min(self.tuning.max_string, sum(lengths) // len(lengths)))
        strings = self.rng.randint(1, max(1, int(4 * self.tuning.avg_removed / (1 + longest)) - 1))
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
        count = self.rng.randint(2, 2 * self.tuning.avg_removed)
        seed = self.rng.choice(assigned)
        members = set(assigned)
        return [seed, *(j for j in self.near[seed] if j in members)][:count]

    def _remove(self, state: _State, removed: set[int]) -> None:
        for v, seq in enumerate(state.routes):
            if any(j in removed for j in seq):
                kept = tuple(j for j in seq if j not in removed)
                cost = self.ev.cost(v, kept)
                if cost is None:  # removing a job broke the timing: keep the route as it was
                    removed.difference_update(seq)
                    continue
                state.total += cost - state.costs[v]
                state.routes[v], state.costs[v] = kept, cost
        state.unassigned |= removed
        state.total += sum(self.drop[j] for j in removed)

    # ---- recreate ---------------------------------------------------------------------

    def _recreate(self, state: _State, removed: list[int]) -> None:
        """Regret-2 insertion of the removed jobs and those left out, in ``state``."""
        pool = self._pool(state, removed)
        near = self._near_routes(state)
        options = {j: self._options(state, j, near(j)) for j in pool}
        stale: dict[int, set[int]] = {j: set() for j in pool}
        while pool:
            chosen, regret = -1, -math.inf
            for j in pool:
                opts = self._fresh_top(state, j, options, stale[j])
                best = opts[0][0] if opts else self.drop[j]
                second = opts[1][0] if len(opts) > 1 else self.drop[j]
                value = min(second, self.drop[j]) - best + self.rng.random()
                if value > regret:
                    chosen, regret = j, value
            pool.discard(chosen)
            opts = options.pop(chosen)
            if not opts or opts[0][0] >= self.drop[chosen]:
                continue
            delta, v, at = opts[0]
            seq = state.routes[v]
            new = (*seq[:at], chosen, *seq[at:])
            cost = state.costs[v] + delta
            state.routes[v], state.costs[v] = new, cost
            state.unassigned.discard(chosen)
            state.total += delta - self.drop[chosen]
            for j in pool:
                stale[j].add(v)

    def _fresh_top(
        self,
        state: _State,
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

    def _pool(self, state: _State, removed: list[int]) -> set[int]:
        """The jobs to insert: the removed ones and those left out.

        With ``local_pool``, of the jobs left out before this move only those near a
        removed one: the others could only use room the ruin freed far from them (into
        an unchanged route they did not fit before).
        """
        if not self.tuning.local_pool or not removed:
            return set(state.unassigned)
        around = {k for j in removed for k in self.near[j]}
        return {j for j in state.unassigned if j in around or j in removed}

    def _near_routes(self, state: _State) -> Callable[[int], list[int]]:
        """The routes worth trying for a job: all, or with ``granular`` the nearest ones.

        Granular: the routes that serve one of the job's nearest jobs, and the
        ``granular`` engineers who start nearest to it (so an idle one can take it).
        """
        if not self.tuning.granular:
            return lambda j: self.allowed[j]
        route_of = {k: v for v, seq in enumerate(state.routes) for k in seq}

        def near(j: int) -> list[int]:
            wanted = set(self.near_vans[j])
            wanted.update(route_of[k] for k in self.near[j] if k in route_of)
            return [v for v in self.allowed[j] if v in wanted]

        return near

    def _options(self, state: _State, j: int, routes: list[int]) -> list[tuple[int, int, int]]:
        """(extra cost, vehicle, position): ``j``'s best position per route, cheapest first."""
        found = []
        for v in routes:
            best = self._best_in(state, j, v)
            if best is not None:
                found.append((best[0], v, best[1]))
        found.sort()
        return found

    def _refresh(
        self, state: _State, j: int, opts: list[tuple[int, int, int]], v: int
    ) -> list[tuple[int, int, int]]:
        kept = [o for o in opts if o[1] != v]
        best = self._best_in(state, j, v)
        if best is not None:
            kept.append((best[0], v, best[1]))
            kept.sort()
        return kept

    def _best_in(self, state: _State, j: int, v: int) -> tuple[int, int] | None:
        """(extra cost, position) of the cheapest insertion of ``j`` into route ``v``."""
        seq = state.routes[v]
        key = (j, v, seq)
        if key in self._inserts:
            found = self._inserts[key]
            return None if found[1] < 0 else found
        result = self._scan(j, v, seq, state.costs[v])
        if len(self._inserts) > 400_000:
            self._inserts.clear()
        self._inserts[key] = result if result is not None else (0, -1)
        return result

    def _scan(self, j: int, v: int, seq: tuple[int, ...], base: int) -> tuple[int, int] | None:
        """Every position, most promising first, stopping once a lower bound loses.

        The bound of a position is its extra distance plus ``j``'s own lateness if it
        started as early as the stops and breaks before it allow (the stops after it only
        add to that); a position where even that breaks a hard rule is skipped.
        """
        ev = self.ev
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
