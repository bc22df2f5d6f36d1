"""A day's outline: a ``Problem`` whose travel is computed when asked, not held n x n.

A 20,000-job day's full matrices take 6.4 GiB and 43 s to build, most of it for pairs no
step ever reads: the parts need only their own blocks, the split reads each job against
the engineers, the stitch and the validator read the legs of the routes. An outline's
``durations`` and ``distances`` are ``TravelTable`` views over a ``Travel`` (the pair
function of whoever built the problem, e.g. ``dispatch.travel.GeodesicTravel``): indexing
one computes just the pairs asked for, numbers equal to what the full matrix would hold.

``outline_part`` cuts a part out of an outline without computing anything (an outline of
the part's own points); ``dense`` turns an outline into an ordinary ``Problem`` with its
matrices filled in, which a part's solver does where the part is solved (a worker).
The solver steps that take a ``Problem`` read it by indexing only, so they take an
outline as it is; anything that needs the whole matrix at once calls ``dense`` first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, Protocol, cast

import numpy as np
import numpy.typing as npt

from solver.problem import IntMatrix, Problem

IntArray = npt.NDArray[np.int64]
MINUTES, METRES = 0, 1
"""Which of the two numbers of a pair a ``TravelTable`` shows."""
_CACHED_PAIRS = 1 << 20
"""Single pairs remembered per outline (route legs read again and again by the repair)."""
_PACK = 32
_LOW = (1 << _PACK) - 1
"""A pair is kept as ``minutes << 32 | metres``: a leg's metres (at most half the Earth's
circumference times a route factor, about 3 x 10^7) are far below 2^32."""
_REMEMBERED_VECTORS = 8
"""Blocks remembered for this many vectors (the fleet's starts and ends)."""
_ASKED_FOR_BLOCK = 64
"""A vector asked this often (the fleet's starts, once per job) gets its block."""
_HOT_ROWS = 256
"""Whole rows kept for single pairs (an area's seeds), and vectors' places in blocks."""
_CHUNK_PAIRS = 1 << 18
"""Pairs computed at once for a block (float temporaries of a few MiB each)."""
_BLOCK_PAIRS = 1 << 24
"""The largest block kept (pairs; two int32 each, 128 MiB): 15 offices' engineers against a
20,000-job day's 24,000 places are 0.4 M pairs, 4,000 engineers at their own places 96 M
(those are computed per job instead)."""


@dataclass(frozen=True, slots=True)
class _Block:
    """Travel between some distinct locations (sorted) and every location: minutes and
    metres as (distinct, n) arrays, from them (outward) or to them."""

    distinct: IntArray
    values: tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]

    @classmethod
    def of(cls, travel: Travel, distinct: IntArray, *, outward: bool) -> _Block:
        """Computed a few rows at a time, so the float temporaries stay small."""
        n = travel.size
        values = (np.empty((distinct.size, n), np.int32), np.empty((distinct.size, n), np.int32))
        step = max(1, _CHUNK_PAIRS // max(n, 1))
        every = np.arange(n, dtype=np.int64)
        for start in range(0, distinct.size, step):
            ours = distinct[start : start + step]
            here, there = np.repeat(ours, n), np.tile(every, ours.size)
            pair = (here, there) if outward else (there, here)
            for out, numbers in zip(values, travel.between(*pair), strict=True):
                out[start : start + ours.size] = numbers.reshape(-1, n)
        return cls(distinct, values)


class Travel(Protocol):
    """Travel between a problem's locations, pair by pair (pickled to where a part is solved).

    ``between(rows, cols)``: whole minutes and metres from each location of ``rows`` to the
    one at the same position of ``cols`` (equal shapes); 0 where a location meets itself.
    ``subset(points)``: the travel between ``points`` only, location k being ``points[k]``.
    """

    @property
    def size(self) -> int: ...

    def between(self, rows: IntArray, cols: IntArray) -> tuple[IntArray, IntArray]: ...

    def subset(self, points: IntArray) -> Travel: ...


class _Pairs:
    """A ``Travel`` and the single pairs already computed (shared by both tables)."""

    def __init__(self, travel: Travel) -> None:
        self.travel = travel
        self.size = travel.size
        self.cache: dict[int, int] = {}
        self.blocks: dict[bool, list[_Block]] = {True: [], False: []}
        self.asked: Counter[tuple[bool, bytes]] = Counter()
        self.placed: dict[tuple[bool, bytes], tuple[_Block, IntArray]] = {}
        self.rows: dict[int, _Block] = {}
        self.row_misses: Counter[int] = Counter()

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Pairs, (self.travel,))

    def one(self, row: int, col: int) -> int:
        """One pair as ``minutes << 32 | metres``, kept as one int keyed by one int (about
        100 bytes a pair, so the cache's 2^20 pairs stay near 100 MiB)."""
        key = row * self.size + col
        known = self.cache.get(key)
        if known is None:
            minutes, metres = self._from_row(row, col)
            if len(self.cache) >= _CACHED_PAIRS:
                self.cache.clear()
            self.cache[key] = known = minutes << _PACK | metres
        return known

    def _from_row(self, row: int, col: int) -> tuple[int, int]:
        """A pair not asked before; a row asked often (an area's seed against its jobs)
        is computed whole, against every location, in one call."""
        whole = self.rows.get(row)
        if whole is None:
            self.row_misses[row] += 1
            n = self.travel.size
            if self.row_misses[row] < _ASKED_FOR_BLOCK or n > _BLOCK_PAIRS // _HOT_ROWS:
                minutes, metres = self.travel.between(
                    np.array([row], dtype=np.int64), np.array([col], dtype=np.int64)
                )
                return int(minutes[0]), int(metres[0])
            if len(self.rows) >= _HOT_ROWS:
                self.rows.clear()
            whole = _Block.of(self.travel, np.array([row], dtype=np.int64), outward=True)
            self.rows[row] = whole
        return int(whole.values[0][0, col]), int(whole.values[1][0, col])

    def many(self, rows: IntArray, cols: IntArray, kind: int) -> IntArray:
        """The ``kind`` numbers of the pairs (broadcast shapes), each distinct pair once."""
        if rows.size == 1 or cols.size == 1:
            return self._one_to_many(rows, cols, kind)
        rows, cols = np.broadcast_arrays(rows, cols)
        n = self.travel.size
        codes = rows.ravel() * n + cols.ravel()
        distinct, back = np.unique(codes, return_inverse=True)
        values = self.travel.between(distinct // n, distinct % n)[kind]
        return values[back].reshape(rows.shape)

    def _one_to_many(self, rows: IntArray, cols: IntArray, kind: int) -> IntArray:
        """One location against many (a job against the engineers' starts or ends): the
        many side's distinct locations are met against every location once, in one call,
        when the same vector is asked again and again (once per job)."""
        single_row = rows.size == 1
        one = int((rows if single_row else cols).ravel()[0])
        shape = np.broadcast_shapes(rows.shape, cols.shape)
        found = self._block(cols if single_row else rows, outward=not single_row)
        if found is None:
            rows, cols = np.broadcast_arrays(rows, cols)
            return self.travel.between(rows.ravel(), cols.ravel())[kind].reshape(shape)
        block, at = found
        values: IntArray = block.values[kind][at, one].astype(np.int64)
        return values.reshape(shape)

    def _block(self, locations: IntArray, *, outward: bool) -> tuple[_Block, IntArray] | None:
        """A block from (``outward``) or to ``locations`` and every location, and where
        each of them is in it; ``None`` while the vector is new or too large to keep."""
        many = locations.ravel()
        key = (outward, many.tobytes())
        placed = self.placed.get(key)
        if placed is not None:
            return placed
        for block in self.blocks[outward]:
            at = np.minimum(np.searchsorted(block.distinct, many), block.distinct.size - 1)
            if np.array_equal(block.distinct[at], many):
                if len(self.placed) >= _HOT_ROWS:
                    self.placed.clear()
                self.placed[key] = (block, at)
                return block, at
        self.asked[key] += 1
        distinct = np.unique(many)
        if self.asked[key] < _ASKED_FOR_BLOCK or distinct.size * self.travel.size > _BLOCK_PAIRS:
            return None
        block = _Block.of(self.travel, distinct, outward=outward)
        kept = self.blocks[outward]
        kept[:] = [block, *kept[: _REMEMBERED_VECTORS - 1]]
        return block, np.searchsorted(distinct, many)

    def remember(self, rows: IntArray, cols: IntArray) -> None:
        """Compute the pairs (``rows[k]``, ``cols[k]``) at once and keep them (at most the
        cache's size of them: the others are computed when asked)."""
        keys = np.unique(rows * self.travel.size + cols)[:_CACHED_PAIRS]
        fresh = np.array([k for k in keys.tolist() if k not in self.cache], dtype=np.int64)
        if not fresh.size:
            return
        if len(self.cache) + fresh.size > _CACHED_PAIRS:
            self.cache.clear()
        minutes, metres = self.travel.between(*np.divmod(fresh, self.travel.size))
        packed = (minutes << _PACK) | metres
        self.cache.update(zip(fresh.tolist(), packed.tolist(), strict=True))


class TravelTable:
    """One of an outline's matrices (minutes or metres), computed when indexed.

    Supports what the solver's steps do with a matrix: ``shape`` and indexing by a pair
    of integers, integer arrays or slices (numpy's broadcasting rules).
    """

    def __init__(self, pairs: _Pairs, kind: int) -> None:
        self._pairs = pairs
        self._kind = kind

    @property
    def travel(self) -> Travel:
        return self._pairs.travel

    @property
    def pairs(self) -> _Pairs:
        return self._pairs

    @property
    def shape(self) -> tuple[int, int]:
        n = self._pairs.travel.size
        return (n, n)

    def __getitem__(self, key: Any) -> Any:
        """A pair of integers gives an ``int`` (the repair's hot path: one dict read),
        anything else an array."""
        row, col = key if isinstance(key, tuple) else (key, slice(None))
        if _is_int(row) and _is_int(col):
            packed = self._pairs.one(int(row), int(col))
            return packed >> _PACK if self._kind == MINUTES else packed & _LOW
        n = self.shape[0]
        return self._pairs.many(_indices(row, n), _indices(col, n), self._kind)


def _is_int(value: object) -> bool:
    return type(value) is int or isinstance(value, np.integer)


def _indices(value: Any, n: int) -> IntArray:
    if isinstance(value, slice):
        return np.arange(*value.indices(n), dtype=np.int64)
    return np.asarray(value, dtype=np.int64)


def tables(travel: Travel) -> tuple[IntMatrix, IntMatrix]:
    """(durations, distances) of an outline over ``travel``: minutes and metres.

    Typed as matrices for ``Problem``: they index like one (``TravelTable``).
    """
    pairs = _Pairs(travel)
    return (
        cast(IntMatrix, TravelTable(pairs, MINUTES)),
        cast(IntMatrix, TravelTable(pairs, METRES)),
    )


def travel_of(problem: Problem) -> Travel | None:
    """The outline's ``Travel``; ``None`` for a problem with its matrices filled in."""
    table: object = problem.durations
    return table.travel if isinstance(table, TravelTable) else None


def is_outline(problem: Problem) -> bool:
    return travel_of(problem) is not None


def remember(problem: Problem, rows: IntArray, cols: IntArray) -> None:
    """Compute the pairs (``rows[k]``, ``cols[k]``) of an outline in one go, for the single
    pairs a step will ask next (nothing for a problem with its matrices filled in)."""
    table: object = problem.durations
    if isinstance(table, TravelTable):
        table.pairs.remember(np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))


def outline_part(problem: Problem, locations: list[int]) -> tuple[IntMatrix, IntMatrix]:
    """The matrices of the part with these locations (k-th is ``locations[k]``), uncomputed."""
    travel = travel_of(problem)
    if travel is None:
        raise TypeError("outline_part needs an outline")
    return tables(travel.subset(np.asarray(locations, dtype=np.int64)))


def dense(problem: Problem) -> Problem:
    """The problem with its matrices filled in (itself when they already are)."""
    travel = travel_of(problem)
    if travel is None:
        return problem
    n = travel.size
    rows, cols = (axis.ravel() for axis in np.indices((n, n), dtype=np.int64))
    minutes, metres = travel.between(rows, cols)
    return replace(problem, durations=minutes.reshape(n, n), distances=metres.reshape(n, n))
