"""Exact, fast timing and cost of one route: the evaluator the ruin-and-recreate search uses.

``RouteEvaluator.cost(vehicle, jobs in order)`` is what ``solver.validate.objective``
charges for the route timed the cheapest way found here; ``route`` is that timed route
(``tests/solver/test_routes_eval.py`` checks both agree on generated days). Breaks follow
the validator's convention and are placed by a dynamic programme over the stops: a
*label* is (free time, cost so far, breaks taken, route start), kept unless another is no
later, no dearer and has taken as many breaks. A lunch on the road goes at its earliest;
a night at its earliest, its latest, or where the arrival meets the next release or due
(day-1 overtime, ``validate.night_overtime``, and lateness are linear in between). The
span enters a label as ``-time_cost * start``. ``docs/solver/ruin-and-recreate.md`` has the details.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from typing import Any

from solver.problem import Problem, Vehicle
from solver.routes_core import compiled_core, compiled_core_built
from solver.solution import BreakTaken, Route, Stop

NO_DUE = 1 << 62

#: (free time, cost so far, breaks taken, route start, trace)
Label = tuple[int, int, int, int, object]


@dataclass(frozen=True, slots=True)
class _Van:
    """What the timing needs of a vehicle, as plain ints (``routes_core.VanRow``'s order)."""

    start_loc: int
    end_loc: int
    shift_start: int
    shift_end: int
    limit: int
    overtime_cost: int
    capacity: int
    keep_first: int  # job the change price spares (-1: none), -2 when no change price
    empty_cost: int
    breaks: tuple[tuple[int, int, int, int], ...]  # earliest, latest, duration, ends_at or -1


class RouteEvaluator:
    """Route timing and cost for one problem; ``cost`` is memoised per (vehicle, order)."""

    def __init__(
        self,
        problem: Problem,
        cache_size: int = 200_000,
        reuse_prefixes: bool = True,
        compiled: bool = True,
    ) -> None:
        self.problem = problem
        self.dur: list[list[int]] = problem.durations.tolist()
        self.dist: list[list[int]] = problem.distances.tolist()
        jobs = problem.jobs
        self.loc = [j.location for j in jobs]
        self.svc = [j.service for j in jobs]
        self.rel = [j.release for j in jobs]
        self.due = [NO_DUE if j.due is None else j.due for j in jobs]
        self.hard = [j.hard_due for j in jobs]
        self.late = [0 if j.hard_due else j.lateness_cost for j in jobs]
        self.demand = [j.demand for j in jobs]
        self.dc, self.tc = problem.distance_cost, problem.time_cost
        self.vans = [self._van(v) for v in problem.vehicles]
        self._cache: dict[tuple[int, tuple[int, ...]], int | None] = {}
        self._cache_size = cache_size
        self._reuse = reuse_prefixes
        self._prefixes: dict[tuple[int, tuple[int, ...]], list[Label]] = {}
        self._latest: dict[tuple[int, tuple[int, ...]], list[int]] = {}
        self.evaluations = 0
        self.core: Any = None
        if compiled and compiled_core_built():
            columns = (self.loc, self.svc, self.rel, self.due, self.hard, self.late, self.demand)
            vans = [astuple(van) for van in self.vans]
            self.core = compiled_core(problem, columns, vans, self.dc, self.tc)

    def _van(self, v: Vehicle) -> _Van:
        p = self.problem
        breaks = tuple(
            (b.earliest_start, b.latest_start, b.duration, -1 if b.ends_at is None else b.ends_at)
            for b in sorted(v.breaks, key=lambda b: (b.earliest_start, b.latest_start))
        )
        keep, empty = -2, 0
        if p.change_cost > 0 and v.id in p.previous_routes:
            previous = p.previous_first_job(v.id)
            keep = -1 if previous is None else p.job_positions()[previous]
            if previous is not None:
                a, b = v.start_location, v.end_location
                trip = p.distance_cost * int(p.distances[a, b])
                empty = p.change_cost + trip + p.time_cost * int(p.durations[a, b])
        return _Van(
            v.start_location,
            v.end_location,
            v.shift_start,
            v.shift_end,
            min(v.shift_end + v.overtime_cap, p.horizon),
            v.overtime_cost,
            -1 if v.capacity is None else v.capacity,
            keep,
            empty,
            breaks,
        )

    @property
    def cost_cache(self) -> dict[tuple[int, tuple[int, ...]], int | None]:
        """``cost``'s cache, by (vehicle, jobs): the compiled ruin reads and fills it too."""
        return self._cache

    @property
    def cost_cache_size(self) -> int:
        """Routes the cache holds at most: it is emptied when full."""
        return self._cache_size

    def cost(self, vehicle: int, seq: tuple[int, ...]) -> int | None:
        """The route's share of the objective; None when no timing is feasible."""
        key = (vehicle, seq)
        cached = self._cache.get(key, -1)
        if cached != -1:
            return cached
        if self.core is not None:
            self.evaluations += 1
            value: int | None = self.core.cost(vehicle, seq)
        else:
            best = self._best(vehicle, seq)
            value = None if best is None else best[0]
        if len(self._cache) >= self._cache_size:
            self._cache.clear()
        self._cache[key] = value
        return value

    def route(self, vehicle: int, seq: tuple[int, ...]) -> Route | None:
        """The timed route (None when infeasible or empty)."""
        best = self._best(vehicle, seq)
        if best is None or not seq:
            return None
        return self._rebuild(vehicle, seq, best[1], best[2])

    def _best(self, v: int, seq: tuple[int, ...]) -> tuple[int, Label, int] | None:
        """(cost, final label, route end) of the cheapest timing, or None."""
        self.evaluations += 1
        van = self.vans[v]
        if not seq:
            return van.empty_cost, (0, 0, 0, 0, None), 0
        if van.capacity >= 0 and sum(self.demand[j] for j in seq) > van.capacity:
            return None
        labels = self._labels(v, van, seq)
        if not labels:
            return None
        found = self._finish(van, labels, self.loc[seq[-1]])
        if found is None:
            return None
        cost, label, end = found
        fixed = self.dc * self._distance(van, seq)
        if van.keep_first != -2 and seq[0] != van.keep_first:
            fixed += self.problem.change_cost
        return cost + fixed, label, end

    def _labels(self, v: int, van: _Van, seq: tuple[int, ...]) -> list[Label]:
        """Labels after the last stop, reusing those of the longest prefix already seen.

        Insertion tries every position of a route, so the labels up to the position are
        shared by many evaluations; this halves the work of a scan.
        """
        prefixes = self._prefixes
        if not self._reuse:
            prefixes.clear()
        done = len(seq)
        labels = prefixes.get((v, seq))
        while labels is None and done > 1:
            done -= 1
            labels = prefixes.get((v, seq[:done]))
        if labels is None:
            done, labels = 0, self._initial(van, seq[0])
        if len(prefixes) >= self._cache_size:
            prefixes.clear()
        for at in range(done, len(seq)):
            if not labels:
                return labels
            here = van.start_loc if at == 0 else self.loc[seq[at - 1]]
            labels = self._visit(van, labels, here, seq[at])
            prefixes[(v, seq[: at + 1])] = labels
        return labels

    def earliest_begin(self, v: int, prefix: tuple[int, ...], j: int) -> int | None:
        """A lower bound on when job ``j`` can start right after ``prefix``; None: never.

        From each label of the prefix: travel, the release, and every break that would
        have to start before the service ends (it cannot overlap it, so it comes first:
        a night moves the start to the next morning, a lunch to after its earliest end).
        """
        van = self.vans[v]
        labels = self._prefixes.get((v, prefix)) or self._labels(v, van, prefix) if prefix else []
        labels = labels if prefix else [(van.shift_start, 0, 0, 0, None)]
        here = self.loc[prefix[-1]] if prefix else van.start_loc
        travel, release, service = self.dur[here][self.loc[j]], self.rel[j], self.svc[j]
        best: int | None = None
        for free, _, k, _, _ in labels:
            begin = max(free + travel, release)
            for earliest, latest, duration, ends in van.breaks[k:]:
                if latest >= begin + service:
                    break
                begin = max(begin, ends if ends >= 0 else earliest + duration)
            if best is None or begin < best:
                best = begin
        return best

    def latest_begins(self, v: int, seq: tuple[int, ...]) -> list[int]:
        """Per stop (then the end), the latest start that lets the rest finish: a bound.

        Breaks are ignored (they only make it earlier): arriving later means no timing.
        """
        key = (v, seq)
        found = self._latest.get(key)
        if found is not None:
            return found
        van, dur, loc = self.vans[v], self.dur, self.loc
        latest = [0] * (len(seq) + 1)
        latest[-1] = van.limit
        after = van.end_loc
        for k in range(len(seq) - 1, -1, -1):
            j = seq[k]
            bound = latest[k + 1] - dur[loc[j]][after] - self.svc[j]
            latest[k] = min(bound, self.due[j]) if self.hard[j] else bound
            after = loc[j]
        if len(self._latest) >= self._cache_size:
            self._latest.clear()
        self._latest[key] = latest
        return latest

    def _distance(self, van: _Van, seq: tuple[int, ...]) -> int:
        dist, loc = self.dist, self.loc
        here, total = van.start_loc, 0
        for j in seq:
            total += dist[here][loc[j]]
            here = loc[j]
        return total + dist[here][van.end_loc]

    def _initial(self, van: _Van, first: int) -> list[Label]:
        """Departures: after 0, 1, ... breaks taken before the route, as late as useful."""
        out: list[Label] = []
        tc, travel = self.tc, self.dur[van.start_loc][self.loc[first]]
        free, taken_end = van.shift_start, -NO_DUE
        trace: object = None
        for k in range(len(van.breaks) + 1):
            for depart in dict.fromkeys((free, max(free, self.rel[first] - travel))):
                out.append((depart, -tc * depart, k, depart, ("start", trace)))
            if k == len(van.breaks):
                break
            e, last, d, ends = van.breaks[k]
            at = max(e, taken_end)
            if at > last:
                break
            length = d if ends < 0 else ends - at
            trace = (at, length, trace)
            taken_end = at + length
            free = max(van.shift_start, taken_end)
        return out

    def _visit(self, van: _Van, labels: list[Label], here: int, j: int) -> list[Label]:
        """Labels after serving job ``j``, travelling from ``here``; dominated ones dropped."""
        travel = self.dur[here][self.loc[j]]
        release, due, service = self.rel[j], self.due[j], self.svc[j]
        leg = (travel, release, due, service)
        hard, late, limit, breaks = self.hard[j], self.late[j], van.limit, van.breaks
        out: list[Label] = []
        for free, cost, k, start, trace in labels:
            for arrival, begin, k2, extra, taken in self._leg(van, free, leg, k, start):
                if hard and begin > due:
                    continue
                done = begin + service
                if done > limit or (k2 < len(breaks) and breaks[k2][1] < done):
                    continue
                added = extra + (late * (begin - due) if begin > due else 0)
                out.append((done, cost + added, k2, start, (j, arrival, begin, taken, trace)))
        return _pareto(out)

    def _leg(
        self,
        van: _Van,
        depart: int,
        leg: tuple[int, int, int, int],
        k: int,
        start: int,
    ) -> list[tuple[int, int, int, int, tuple[tuple[int, int], ...]]]:
        """(arrival, begin, breaks taken, cost, breaks) for each way to place breaks on a leg.

        ``leg`` is (travel, release, due, service) of the stop at its end. When the next
        break cannot start before the service could begin and may wait until after it, the
        only option is to go straight there (unless it is a night that serving now would
        push into overtime: serving after the night may then be cheaper).
        """
        travel, ready, due, service = leg
        breaks, n = van.breaks, len(van.breaks)
        arrival = depart + travel
        begin = arrival if arrival > ready else ready
        if k == n:
            return [(arrival, begin, k, 0, ())]
        e, last, _, ends = breaks[k]
        if e >= begin and last >= begin + service and (ends < 0 or e >= begin + service):
            return [(arrival, begin, k, 0, ())]  # a break before the service only delays
        out: list[tuple[int, int, int, int, tuple[tuple[int, int], ...]]] = []
        none: tuple[tuple[int, int], ...] = ()
        stack = [(arrival, k, 0, none, depart)]
        while stack:
            arrival, kk, cost, taken, lo = stack.pop()
            self._waits(van, (arrival, ready, service), kk, cost, taken, lo, start, out)
            if kk == n:
                continue
            e, last, d, ends = breaks[kk]
            at = max(lo, e)
            if at > last or at >= arrival:
                continue
            if ends < 0:
                stack.append((arrival + d, kk + 1, cost, (*taken, (at, d)), at + d))
                continue
            high = min(last, arrival - 1)
            for s in {at, high, arrival + ends - due, arrival + ends - ready}:
                if at <= s <= high:
                    night = van.overtime_cost * max(0, s - max(e, start))
                    stack.append(
                        (arrival + ends - s, kk + 1, cost + night, (*taken, (s, ends - s)), ends)
                    )
        return out

    def _waits(
        self,
        van: _Van,
        stop: tuple[int, int, int],
        k: int,
        cost: int,
        taken: tuple[tuple[int, int], ...],
        lo: int,
        start: int,
        out: list[tuple[int, int, int, int, tuple[tuple[int, int], ...]]],
    ) -> None:
        """At ``stop`` (arrival, release, service): serve, or take the next breaks first.

        A break that would only delay the service and may follow it is not taken first.
        """
        arrival, ready, service = stop
        begin = max(arrival, ready)
        out.append((arrival, begin, k, cost, taken))
        t = max(arrival, lo)
        for e, last, d, ends in van.breaks[k:]:
            at = max(t, e)
            if at > last:
                return
            if at >= begin and last >= begin + service and (ends < 0 or at >= begin + service):
                return
            length = d if ends < 0 else ends - at
            if ends >= 0:
                cost += van.overtime_cost * max(0, at - max(e, start))
            taken = (*taken, (at, length))
            t = at + length
            begin = max(begin, t)
            k += 1
            out.append((arrival, begin, k, cost, taken))

    def _finish(self, van: _Van, labels: list[Label], here: int) -> tuple[int, Label, int] | None:
        """Back to the end, the remaining breaks after the route's end; the cheapest."""
        best: tuple[int, Label, int] | None = None
        leg = (self.dur[here][van.end_loc], 0, NO_DUE, 0)
        for free, cost, k, start, trace in labels:
            for arrival, _begin, k2, extra, taken in self._leg(van, free, leg, k, start):
                end = arrival
                if end > van.limit or _begin != arrival:
                    continue
                after = self._after(van, end, k2, start, taken)
                if after is None:
                    continue
                total = cost + extra + after[0] + self.tc * end
                total += van.overtime_cost * max(0, end - van.shift_end)
                if best is None or total < best[0]:
                    best = (total, (end, total, len(van.breaks), start, (after[1], trace)), end)
        return best

    def _after(
        self, van: _Van, end: int, k: int, start: int, taken: tuple[tuple[int, int], ...]
    ) -> tuple[int, tuple[tuple[int, int], ...]] | None:
        """The breaks left, taken after the route's end; (day-1 overtime, all leg breaks)."""
        t, cost = max(end, taken[-1][0] + taken[-1][1] if taken else end), 0
        for e, last, d, ends in van.breaks[k:]:
            at = max(t, e)
            if at > last:
                return None
            length = d if ends < 0 else ends - at
            if ends >= 0:
                cost += van.overtime_cost * max(0, min(at, end) - max(e, start))
            taken = (*taken, (at, length))
            t = at + length
        return cost, taken

    def _rebuild(self, v: int, seq: tuple[int, ...], label: Label, end: int) -> Route:
        """The ``Route`` a final label's trace describes."""
        trace: Any = label[4]
        final, node = trace
        breaks: list[tuple[int, int]] = list(final)
        stops: list[Stop] = []
        while node[0] != "start":
            j, arrival, begin, taken, node = node
            stops.append(Stop(self.problem.jobs[j].id, arrival, begin, begin + self.svc[j]))
            breaks.extend(taken)
        node = node[1]
        while node is not None:
            at, length, node = node
            breaks.append((at, length))
        stops.reverse()
        taken = tuple(BreakTaken(s, d) for s, d in sorted(breaks))
        vehicle = self.problem.vehicles[v]
        return Route(vehicle.id, tuple(stops), label[3], end, taken)


def _pareto(labels: list[Label]) -> list[Label]:
    """Labels no other label beats on time, cost and breaks taken at once."""
    labels.sort(key=lambda x: (x[0], x[1], -x[2]))
    kept: list[Label] = []
    for label in labels:
        if not any(o[1] <= label[1] and o[2] >= label[2] for o in kept):
            kept.append(label)
    return kept
