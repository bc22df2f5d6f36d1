"""The travel model of SPEC §5: road by distance bands, then rail and air with overheads.

Every constant below says where its value comes from; ``docs/travel.md`` gives the sources
and the reasoning at length. Values marked *estimate* are our judgement, not a published
figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

_ROAD_TAIL_KM = 1.0e6
"""A road length beyond any trip on Earth: the last breakpoint of the road-time profile."""


class TravelMode(StrEnum):
    ROAD = "road"
    RAIL = "rail"
    AIR = "air"


_MODE_CODES = (TravelMode.ROAD, TravelMode.RAIL, TravelMode.AIR)
"""Mode of each code in ``Legs.modes``."""


class Leg(NamedTuple):
    """One trip: the mode taken, door-to-door seconds and the distance travelled in metres."""

    mode: TravelMode
    seconds: int
    metres: int


class Legs(NamedTuple):
    """Many trips, as arrays: seconds and metres (float64) and mode codes (see ``mode_of``)."""

    seconds: FloatArray
    metres: FloatArray
    modes: NDArray[np.int8]


def mode_of(code: int) -> TravelMode:
    """The mode of a code in ``Legs.modes``."""
    return _MODE_CODES[code]


@dataclass(frozen=True, slots=True)
class TravelModel:
    """Door-to-door travel time and distance as a function of geodesic distance.

    Road: road distance = geodesic x ``detour_factor``. The first ``urban_km`` of road
    distance run at ``urban_kmh`` (leaving and entering cities), the next ``suburban_km``
    at ``suburban_kmh``, the rest at ``intercity_kmh``: time is continuous, increasing and
    concave in distance.

    Rail and air: from their threshold distances on, each is available at a fixed
    overhead plus its route distance (geodesic x route factor) at its average speed. A trip
    takes the fastest available mode. A threshold may not make a mode *faster* than the
    modes already available there (checked here), so time never drops as distance grows.
    """

    detour_factor: float = 1.3
    """Road / geodesic distance ("circuity"): published national road values are ~1.2-1.4
    (e.g. 1.26 for South Korea, Kim et al. 2015); no China figure found. Estimate."""
    urban_km: float = 15.0
    """Road km at urban speed: leaving and entering built-up areas. Matches the default
    15 km urban radius of SPEC §5. Estimate."""
    urban_kmh: float = 25.0
    """Average urban driving speed incl. signals and congestion: AutoNavi's quarterly
    urban traffic reports put big-city peak speeds in the 20s of km/h. Estimate."""
    suburban_km: float = 45.0
    """Road km at suburban speed after the urban band: up to the 60 km suburban radius."""
    suburban_kmh: float = 45.0
    """Suburban arterials, national and provincial roads, posted at 60-80 km/h (70 km/h
    default on unmarked highways, Road Traffic Safety Law regulations Art. 45), less
    junctions and towns. Estimate."""
    intercity_kmh: float = 80.0
    """Expressway average incl. toll gates, service stops and congestion; the limit is
    120 km/h (implementing regulations, Art. 78). Estimate."""
    rail_threshold_km: float = 80.0
    """Geodesic km from which high-speed rail is considered. Must not exceed the distance
    where rail starts beating road (~86 km with these constants), see the class doc."""
    rail_kmh: float = 250.0
    """Average HSR speed on the line, stops included: Beijing-Shanghai 1,318 km in
    4 h 18 min (fastest) to ~5 h 30 min (typical G trains)."""
    rail_route_factor: float = 1.2
    """HSR line length / geodesic: Beijing-Shanghai 1,318 / 1,066 km = 1.24,
    Shanghai-Nanjing 301 / 270 km = 1.11."""
    rail_overhead_min: float = 110.0
    """To the station (45 min), arrive before departure for security and ticket check
    (20 min), station to site at the far end (45 min). Estimate."""
    air_threshold_km: float = 350.0
    """Geodesic km from which flying is considered. Must not exceed the distance where air
    starts beating rail (~375 km with these constants), see the class doc."""
    air_kmh: float = 650.0
    """Domestic block speed (gate to gate, incl. taxi, climb, holding) over the flown
    distance: Shanghai-Urumqi ~3,270 km geodesic is scheduled ~5 h 30 min."""
    air_route_factor: float = 1.1
    """Flown distance / geodesic: airways are not great circles; estimate."""
    air_overhead_min: float = 180.0
    """To the airport (60 min), check-in and security before departure (60 min; domestic
    check-in closes 30-45 min before), deplaning and airport to site (60 min). Estimate."""

    def __post_init__(self) -> None:
        self._check_ranges()
        for mode in (TravelMode.RAIL, TravelMode.AIR):
            self._check_no_drop(mode)

    def legs(self, geodesic_m: ArrayLike) -> Legs:
        """Time, distance and mode of trips of the given geodesic lengths (metres), element-wise."""
        metres = np.asarray(geodesic_m, dtype=np.float64)
        km = metres / 1000.0
        minutes = self.road_minutes(km)
        factor = np.full(km.shape, self.detour_factor)
        modes = np.zeros(km.shape, dtype=np.int8)
        for code, mode in enumerate(_MODE_CODES[1:], start=1):
            other = self._mode_minutes(mode, km)
            faster = np.less(other, minutes)
            faster &= km >= self._threshold_km(mode)
            np.copyto(minutes, other, where=faster)
            np.copyto(factor, self._route_factor(mode), where=faster)
            np.copyto(modes, code, where=faster)
        minutes *= 60.0
        factor *= metres
        return Legs(seconds=minutes, metres=factor, modes=modes)

    def leg(self, geodesic_m: float) -> Leg:
        """One trip of the given geodesic length, rounded like a ``TravelMatrix`` entry."""
        legs = self.legs(np.array([geodesic_m]))
        return Leg(mode_of(int(legs.modes[0])), _round(legs.seconds[0]), _round(legs.metres[0]))

    def road_minutes(self, geodesic_km: ArrayLike) -> FloatArray:
        """Minutes by road for trips of the given geodesic lengths (km)."""
        road_km = np.asarray(geodesic_km, dtype=np.float64) * self.detour_factor
        xp, fp = self._road_profile()
        return np.asarray(np.interp(road_km, xp, fp), dtype=np.float64)

    def mode_minutes(self, mode: TravelMode, geodesic_km: ArrayLike) -> FloatArray:
        """Minutes by ``mode`` for trips of the given geodesic lengths, ignoring thresholds."""
        km = np.asarray(geodesic_km, dtype=np.float64)
        return self.road_minutes(km) if mode is TravelMode.ROAD else self._mode_minutes(mode, km)

    @property
    def largest_overhead_min(self) -> float:
        return max(self.rail_overhead_min, self.air_overhead_min)

    def _road_profile(self) -> tuple[list[float], list[float]]:
        """Breakpoints (road km) and cumulative minutes of the piecewise-linear road time."""
        xp, fp = [0.0], [0.0]
        for length, kmh in ((self.urban_km, self.urban_kmh), (self.suburban_km, self.suburban_kmh)):
            if length > 0:
                xp.append(xp[-1] + length)
                fp.append(fp[-1] + 60.0 * length / kmh)
        xp.append(xp[-1] + _ROAD_TAIL_KM)
        fp.append(fp[-1] + 60.0 * _ROAD_TAIL_KM / self.intercity_kmh)
        return xp, fp

    def _mode_minutes(self, mode: TravelMode, km: FloatArray) -> FloatArray:
        overhead, factor, kmh = (
            (self.rail_overhead_min, self.rail_route_factor, self.rail_kmh)
            if mode is TravelMode.RAIL
            else (self.air_overhead_min, self.air_route_factor, self.air_kmh)
        )
        minutes = km * (60.0 * factor / kmh)
        minutes += overhead
        return minutes

    def _threshold_km(self, mode: TravelMode) -> float:
        return self.rail_threshold_km if mode is TravelMode.RAIL else self.air_threshold_km

    def _route_factor(self, mode: TravelMode) -> float:
        return self.rail_route_factor if mode is TravelMode.RAIL else self.air_route_factor

    def _check_ranges(self) -> None:
        for name in ("urban_kmh", "suburban_kmh", "intercity_kmh", "rail_kmh", "air_kmh"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        for name in ("detour_factor", "rail_route_factor", "air_route_factor"):
            if not getattr(self, name) >= 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in (
            "urban_km",
            "suburban_km",
            "rail_threshold_km",
            "rail_overhead_min",
            "air_threshold_km",
            "air_overhead_min",
        ):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")

    def _check_no_drop(self, mode: TravelMode) -> None:
        """Reject a threshold at which ``mode`` would already beat the modes available there.

        Taking the mode from that distance on would make a slightly longer trip much
        shorter in time: a cliff that breaks monotonicity and lures the solver to sites
        just past the threshold.
        """
        km = self._threshold_km(mode)
        available = [float(self.road_minutes(km))] + [
            float(self._mode_minutes(other, np.array(km)))
            for other in _MODE_CODES[1:]
            if other is not mode and self._threshold_km(other) < km
        ]
        own = float(self._mode_minutes(mode, np.array(km)))
        if own < min(available) - 1e-9:
            raise ValueError(
                f"{mode.value} at its threshold of {km:g} km takes {own:.1f} min, less than "
                f"the {min(available):.1f} min of the modes already available: travel time "
                f"would drop at {km:g} km. Lower {mode.value}_threshold_km to where "
                f"{mode.value} stops being slower, or raise {mode.value}_overhead_min."
            )


DEFAULT_MODEL = TravelModel()
"""The model with the documented default constants."""


def _round(value: np.float64) -> int:
    return int(np.rint(value))
