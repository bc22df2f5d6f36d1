"""The geodesic provider (the default), the caching wrapper and the process-wide default."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from dispatch.travel.geodesic import PointTerms
from dispatch.travel.matrix import IntArray, TravelMatrix, TravelProvider, coordinates
from dispatch.travel.model import DEFAULT_MODEL, TravelModel

if TYPE_CHECKING:
    from dispatch.domain import GeoPoint

_BLOCK_PAIRS = 1 << 15
"""Pairs computed at a time: each float temporary (256 KB) stays in cache and is reused by
the allocator instead of being page-faulted in afresh (faster than 1-8 MB blocks here)."""


class GeodesicTravelProvider:
    """Travel from the geodesic distance between points through a ``TravelModel``.

    The matrix is built in blocks of rows, vectorised, in float64 and rounded to int64.
    It is symmetric and its diagonal is zero.
    """

    def __init__(self, model: TravelModel = DEFAULT_MODEL) -> None:
        self._model = model

    @property
    def model(self) -> TravelModel:
        return self._model

    def matrix(self, points: Sequence[GeoPoint]) -> TravelMatrix:
        coords = coordinates(points)
        n = coords.shape[0]
        terms = PointTerms.of(coords[:, 0], coords[:, 1])
        durations = np.empty((n, n), dtype=np.int64)
        distances = np.empty((n, n), dtype=np.int64)
        step = max(1, _BLOCK_PAIRS // max(n, 1))
        for start in range(0, n, step):
            stop = min(n, start + step)
            self._fill_block(terms, start, stop, durations, distances)
        np.fill_diagonal(durations, 0)
        np.fill_diagonal(distances, 0)
        durations.flags.writeable = False
        distances.flags.writeable = False
        return TravelMatrix(durations, distances)

    def _fill_block(
        self, terms: PointTerms, start: int, stop: int, durations: IntArray, distances: IntArray
    ) -> None:
        """Rows ``start:stop`` from the diagonal rightwards, mirrored into the columns.

        Travel is symmetric, so only the upper triangle is computed: half the work.
        """
        legs = self._model.legs(terms.rows(start, stop).distances_m(terms.rows(start, len(terms))))
        for values, out in ((legs.seconds, durations), (legs.metres, distances)):
            np.rint(values, out=values)
            np.copyto(out[start:stop, start:], values, casting="unsafe")
            np.copyto(out[start:, start:stop], values.T, casting="unsafe")

    def __repr__(self) -> str:
        return f"GeodesicTravelProvider({self._model!r})"


class CacheInfo(NamedTuple):
    hits: int
    misses: int
    entries: int
    nbytes: int


class CachedTravelProvider:
    """Wraps a provider and keeps its matrices in a bounded LRU cache.

    The key is the exact sequence of (latitude, longitude) pairs, order included; the
    provider is part of the key by construction, one cache serving one provider. The
    same points give the identical ``TravelMatrix`` object back. Both the number of
    entries and their total bytes are bounded (a 5,000-point matrix takes 400 MB); a
    matrix larger than ``max_bytes`` is returned but not kept. Thread-safe; two threads
    missing on the same key may both compute it, and both then get the first one stored.
    """

    def __init__(
        self, provider: TravelProvider, maxsize: int = 32, max_bytes: int = 1 << 30
    ) -> None:
        if maxsize < 1 or max_bytes < 0:
            raise ValueError("maxsize must be at least 1 and max_bytes not negative")
        self._provider = provider
        self._maxsize = maxsize
        self._max_bytes = max_bytes
        self._entries: OrderedDict[tuple[tuple[float, float], ...], TravelMatrix] = OrderedDict()
        self._nbytes = 0
        self._hits = 0
        self._misses = 0
        self._lock = threading.Lock()

    @property
    def provider(self) -> TravelProvider:
        return self._provider

    def matrix(self, points: Sequence[GeoPoint]) -> TravelMatrix:
        key = tuple((float(p.latitude), float(p.longitude)) for p in points)
        with self._lock:
            cached = self._entries.get(key)
            if cached is not None:
                self._entries.move_to_end(key)
                self._hits += 1
                return cached
            self._misses += 1
        return self._store(key, self._provider.matrix(points))

    def cache_info(self) -> CacheInfo:
        with self._lock:
            return CacheInfo(self._hits, self._misses, len(self._entries), self._nbytes)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._nbytes = 0

    def _store(self, key: tuple[tuple[float, float], ...], matrix: TravelMatrix) -> TravelMatrix:
        if matrix.nbytes > self._max_bytes:
            return matrix
        with self._lock:
            if key in self._entries:
                return self._entries[key]
            self._entries[key] = matrix
            self._nbytes += matrix.nbytes
            while len(self._entries) > self._maxsize or self._nbytes > self._max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._nbytes -= evicted.nbytes
        return matrix

    def __repr__(self) -> str:
        return f"CachedTravelProvider({self._provider!r})"


@functools.cache
def default_provider() -> TravelProvider:
    """The process-wide provider: a cached ``GeodesicTravelProvider`` with the default model."""
    return CachedTravelProvider(GeodesicTravelProvider())
