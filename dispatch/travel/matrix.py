"""``TravelMatrix``: door-to-door seconds and metres between n points, and the provider protocol."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    from dispatch.domain import GeoPoint

IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class TravelMatrix:
    """Travel between n points: ``durations_s[i, j]`` seconds and ``distances_m[i, j]`` metres.

    Both are read-only (n, n) int64 arrays with a zero diagonal. Arrays passed in that are
    writeable, or not int64, are copied, so nobody can change a matrix after the fact (they
    are cached and shared). Equality is identity: compare the arrays if you need more.
    """

    durations_s: IntArray
    distances_m: IntArray

    def __post_init__(self) -> None:
        durations = _frozen_square("durations_s", self.durations_s)
        distances = _frozen_square("distances_m", self.distances_m)
        if durations.shape != distances.shape:
            raise ValueError(
                f"durations_s {durations.shape} and distances_m {distances.shape} differ in shape"
            )
        object.__setattr__(self, "durations_s", durations)
        object.__setattr__(self, "distances_m", distances)

    @property
    def size(self) -> int:
        """The number of points n."""
        return int(self.durations_s.shape[0])

    @property
    def nbytes(self) -> int:
        return int(self.durations_s.nbytes + self.distances_m.nbytes)

    def seconds(self, i: int, j: int) -> int:
        return int(self.durations_s[i, j])

    def metres(self, i: int, j: int) -> int:
        return int(self.distances_m[i, j])

    def minutes(self, i: int, j: int) -> int:
        """Whole minutes from i to j, rounded up so that a plan in minutes is never optimistic."""
        return -(-self.seconds(i, j) // 60)

    def durations_min(self) -> IntArray:
        """All durations in whole minutes, rounded up (a new, writeable array).

        Integer arithmetic in one output array (durations are not negative): at 10,000
        points a float or negated temporary would cost another 800 MB.
        """
        minutes: IntArray = np.add(self.durations_s, 59)
        np.floor_divide(minutes, 60, out=minutes)
        return minutes

    def submatrix(self, indices: Sequence[int] | ArrayLike) -> TravelMatrix:
        """The matrix between the points at ``indices``, in that order (repeats allowed)."""
        index = np.asarray(indices, dtype=np.intp).reshape(-1)
        if index.size and (index.min() < 0 or index.max() >= self.size):
            raise IndexError(f"indices must lie in 0..{self.size - 1}")
        rows, cols = np.ix_(index, index)
        return TravelMatrix(
            _read_only(self.durations_s[rows, cols]), _read_only(self.distances_m[rows, cols])
        )


class TravelProvider(Protocol):
    """Anything that builds a ``TravelMatrix`` for a list of points (geodesic, file, OSRM...).

    Row and column i of the result belong to ``points[i]``; repeated points are allowed.
    """

    def matrix(self, points: Sequence[GeoPoint]) -> TravelMatrix: ...


def coordinates(points: Sequence[GeoPoint]) -> NDArray[np.float64]:
    """The (n, 2) array of ``[latitude, longitude]`` of ``points``."""
    flat = np.fromiter(
        (value for p in points for value in (p.latitude, p.longitude)),
        dtype=np.float64,
        count=2 * len(points),
    )
    return flat.reshape(-1, 2)


def _read_only(array: IntArray) -> IntArray:
    array.flags.writeable = False
    return array


def _frozen_square(name: str, value: ArrayLike) -> IntArray:
    array = np.asarray(value)
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise ValueError(f"{name} must be a square (n, n) matrix, got shape {array.shape}")
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integers, got dtype {array.dtype}")
    if array.size and array.min() < 0:
        raise ValueError(f"{name} must not be negative, got {array.min()}")
    if np.any(np.diagonal(array)):
        raise ValueError(f"{name} must have a zero diagonal")
    if array.dtype != np.int64 or array.flags.writeable:
        array = _read_only(array.astype(np.int64, copy=True))
    return array
