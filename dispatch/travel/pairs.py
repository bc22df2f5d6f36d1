"""Geodesic travel pair by pair: the numbers of ``GeodesicTravelProvider``'s matrix, on demand.

``GeodesicTravel`` is the ``solver.outline.Travel`` of a day too large to hold its n x n
matrices: each pair goes through the same arithmetic as the provider's matrix (Lambert's
distance from the same per-point terms, the ``TravelModel``'s legs, rounded to whole
seconds and metres, seconds rounded up to whole minutes as ``TravelMatrix.durations_min``
does), so every number equals the one the full matrix holds at that place. Plain data
(coordinates and the model): it pickles to wherever a part is solved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from dispatch.travel.geodesic import PointTerms, lambert_m
from dispatch.travel.matrix import IntArray, coordinates
from dispatch.travel.model import DEFAULT_MODEL, TravelModel

if TYPE_CHECKING:
    from dispatch.domain import GeoPoint


@dataclass(frozen=True, slots=True, eq=False)
class GeodesicTravel:
    """Travel between the points at ``coordinates`` (an (n, 2) array of latitude, longitude)."""

    coordinates: NDArray[np.float64]
    model: TravelModel = DEFAULT_MODEL
    terms: PointTerms = field(init=False, repr=False)
    """Each point's terms of Lambert's formula, computed once (as the provider does)."""

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "terms", PointTerms.of(self.coordinates[:, 0], self.coordinates[:, 1])
        )

    @classmethod
    def of(cls, points: Sequence[GeoPoint], model: TravelModel = DEFAULT_MODEL) -> GeodesicTravel:
        return cls(coordinates(points), model)

    @property
    def size(self) -> int:
        return int(self.coordinates.shape[0])

    def between(self, rows: IntArray, cols: IntArray) -> tuple[IntArray, IntArray]:
        """Minutes (rounded up) and metres from ``rows[k]`` to ``cols[k]``; 0 on the diagonal."""
        geodesic = lambert_m(self.terms.at(rows), self.terms.at(cols))
        legs = self.model.legs(geodesic)
        seconds = np.rint(legs.seconds).astype(np.int64)
        metres = np.rint(legs.metres).astype(np.int64)
        same = rows == cols
        seconds[same] = 0
        metres[same] = 0
        minutes: IntArray = np.add(seconds, 59)
        np.floor_divide(minutes, 60, out=minutes)
        return minutes, metres

    def subset(self, points: IntArray) -> GeodesicTravel:
        return GeodesicTravel(np.ascontiguousarray(self.coordinates[points]), self.model)
