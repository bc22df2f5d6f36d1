"""Vectorised ellipsoidal distances on WGS84 (Andoyer–Lambert).

``geopy.distance.geodesic`` (Karney's algorithm) is exact but costs tens of microseconds a
pair: minutes for a 5,000-point matrix. Lambert's formula (Andoyer's first-order flattening
correction to the great-circle distance between reduced latitudes) is a closed form that
numpy evaluates for tens of millions of pairs a second. Against geopy it agrees to about
1e-6 relative (a few metres) on pairs inside China and to better than 1e-4 worldwide; it
degrades only near antipodal points, which a dispatch problem never has.

Each point's trigonometric terms are computed once; a pair then costs a handful of
multiplications, one square root and one arcsine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike, NDArray

WGS84_A_M = 6_378_137.0
"""Equatorial radius of the WGS84 ellipsoid, metres."""
WGS84_F = 1.0 / 298.257223563
"""Flattening of the WGS84 ellipsoid."""

_TINY = 1e-300
"""Keeps the 0/0 terms of coincident (and antipodal) points finite; their numerators are 0."""

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class PointTerms:
    """The per-point terms of Lambert's formula for a set of positions (1-D arrays).

    ``beta`` is the reduced (parametric) latitude. Keeping half-angle sines and cosines lets
    the half differences of a pair come from the subtraction identity rather than from an
    element-wise ``sin`` on every pair.
    """

    sin_beta: FloatArray
    cos_beta: FloatArray
    sin_half_beta: FloatArray
    cos_half_beta: FloatArray
    sin_half_lon: FloatArray
    cos_half_lon: FloatArray

    @classmethod
    def of(cls, latitudes: ArrayLike, longitudes: ArrayLike) -> PointTerms:
        lat = np.radians(np.asarray(latitudes, dtype=np.float64))
        beta = np.arctan((1.0 - WGS84_F) * np.tan(lat))
        half_lon = np.radians(np.asarray(longitudes, dtype=np.float64)) * 0.5
        return cls(
            sin_beta=np.sin(beta),
            cos_beta=np.cos(beta),
            sin_half_beta=np.sin(beta * 0.5),
            cos_half_beta=np.cos(beta * 0.5),
            sin_half_lon=np.sin(half_lon),
            cos_half_lon=np.cos(half_lon),
        )

    def __len__(self) -> int:
        return int(self.sin_beta.shape[0])

    def rows(self, start: int, stop: int) -> PointTerms:
        """The terms of points ``start:stop``."""
        return self._map(lambda a: a[start:stop])

    def at(self, index: NDArray[np.int64]) -> PointTerms:
        """The terms of the points at ``index`` (any shape)."""
        return self._map(lambda a: a[index])

    def column(self) -> PointTerms:
        """These terms shaped (n, 1), to broadcast against a row of other points."""
        return self._map(lambda a: a[:, None])

    def distances_m(self, other: PointTerms) -> FloatArray:
        """Distances in metres from each of these points (rows) to each of ``other``."""
        return lambert_m(self.column(), other)

    def _map(self, f: Callable[[FloatArray], FloatArray]) -> PointTerms:
        return PointTerms(*(f(getattr(self, field.name)) for field in fields(self)))


def lambert_m(p: PointTerms, q: PointTerms) -> FloatArray:
    """Lambert's distance in metres between ``p`` and ``q``, broadcasting their shapes."""
    sin_half_dbeta = q.sin_half_beta * p.cos_half_beta - q.cos_half_beta * p.sin_half_beta
    sin_half_dlon = q.sin_half_lon * p.cos_half_lon - q.cos_half_lon * p.sin_half_lon
    # haversine of the central angle sigma on the auxiliary sphere
    hav = np.square(sin_half_dbeta)
    hav += (p.cos_beta * q.cos_beta) * np.square(sin_half_dlon)
    np.minimum(hav, 1.0, out=hav)
    sigma = 2.0 * np.arcsin(np.sqrt(hav))
    sin_sigma = 2.0 * np.sqrt(hav * (1.0 - hav))
    # sin(P) cos(Q) = (s1 + s2) / 2 and cos(P) sin(Q) = (s2 - s1) / 2, P, Q the half sum/diff
    x = (sigma - sin_sigma) * np.square((p.sin_beta + q.sin_beta) * 0.5)
    x /= np.maximum(1.0 - hav, _TINY)
    y = (sigma + sin_sigma) * np.square((q.sin_beta - p.sin_beta) * 0.5)
    y /= np.maximum(hav, _TINY)
    x += y
    x *= -0.5 * WGS84_F
    x += sigma
    x *= WGS84_A_M
    return x


def geodesic_m(
    latitudes_1: ArrayLike,
    longitudes_1: ArrayLike,
    latitudes_2: ArrayLike,
    longitudes_2: ArrayLike,
) -> FloatArray:
    """Distances in metres between positions 1 and 2, element-wise (numpy broadcasting)."""
    return lambert_m(
        PointTerms.of(latitudes_1, longitudes_1), PointTerms.of(latitudes_2, longitudes_2)
    )
