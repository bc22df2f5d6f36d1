"""Travel between points: time and distance matrices for the solver (SPEC §5 "Travel").

A ``TravelProvider`` turns a list of points into a ``TravelMatrix``. The default,
``GeodesicTravelProvider``, derives travel from the ellipsoidal distance through a
``TravelModel`` (road by distance bands, high-speed rail and air with overheads);
``MatrixFileProvider`` serves a matrix the user supplies; ``CachedTravelProvider`` caches
any provider; a road-network (OSRM) provider would be one more ``TravelProvider``.
See docs/travel.md.
"""

from dispatch.travel.files import (
    MATCH_TOLERANCE_DEG,
    MatrixFileProvider,
    UnknownPointError,
    write_matrix_file,
)
from dispatch.travel.geodesic import geodesic_m
from dispatch.travel.matrix import TravelMatrix, TravelProvider
from dispatch.travel.model import DEFAULT_MODEL, Leg, Legs, TravelMode, TravelModel, mode_of
from dispatch.travel.pairs import GeodesicTravel
from dispatch.travel.providers import (
    CachedTravelProvider,
    CacheInfo,
    GeodesicTravelProvider,
    default_provider,
)

__all__ = [
    "DEFAULT_MODEL",
    "MATCH_TOLERANCE_DEG",
    "CacheInfo",
    "CachedTravelProvider",
    "GeodesicTravel",
    "GeodesicTravelProvider",
    "Leg",
    "Legs",
    "MatrixFileProvider",
    "TravelMatrix",
    "TravelMode",
    "TravelModel",
    "TravelProvider",
    "UnknownPointError",
    "default_provider",
    "geodesic_m",
    "mode_of",
    "write_matrix_file",
]
