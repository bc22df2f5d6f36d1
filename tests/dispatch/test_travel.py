"""The travel model and providers (dispatch.travel, SPEC §5 "Travel")."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from geopy.distance import geodesic
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

from dispatch.domain import GeoPoint
from dispatch.travel import (
    MATCH_TOLERANCE_DEG,
    CachedTravelProvider,
    GeodesicTravelProvider,
    MatrixFileProvider,
    TravelMatrix,
    TravelMode,
    TravelModel,
    UnknownPointError,
    default_provider,
    geodesic_m,
    write_matrix_file,
)

SHANGHAI = GeoPoint(31.2304, 121.4737)
NANJING = GeoPoint(32.0603, 118.7969)
URUMQI = GeoPoint(43.8256, 87.6168)
BEIJING = GeoPoint(39.9042, 116.4074)
GUANGZHOU = GeoPoint(23.1291, 113.2644)
CHENGDU = GeoPoint(30.5728, 104.0668)
CITIES = [SHANGHAI, NANJING, URUMQI, BEIJING, GUANGZHOU, CHENGDU]

MODEL = TravelModel()
FloatArray = NDArray[np.float64]


def china_points(n: int, seed: int) -> list[GeoPoint]:
    rng = np.random.default_rng(seed)
    return [
        GeoPoint(float(lat), float(lon))
        for lat, lon in zip(rng.uniform(18.0, 53.0, n), rng.uniform(73.0, 135.0, n), strict=True)
    ]


def geopy_km(a: GeoPoint, b: GeoPoint) -> float:
    return float(geodesic((a.latitude, a.longitude), (b.latitude, b.longitude)).km)


def geodesic_errors(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Absolute (metres) and relative differences between ``geodesic_m`` and geopy."""
    ours = geodesic_m(lat1, lon1, lat2, lon2)
    exact = np.array(
        [geodesic((a, b), (c, d)).m for a, b, c, d in zip(lat1, lon1, lat2, lon2, strict=True)]
    )
    return np.abs(ours - exact), np.abs(ours - exact) / exact


# --- vectorised geodesic distance ------------------------------------------------------


def test_geodesic_agrees_with_geopy_across_china() -> None:
    rng = np.random.default_rng(7)
    lat1, lat2 = rng.uniform(18, 53, (2, 2000))
    lon1, lon2 = rng.uniform(73, 135, (2, 2000))
    absolute, relative = geodesic_errors(lat1, lon1, lat2, lon2)
    assert relative.max() < 1e-3
    assert absolute.max() < 20.0  # metres: a spherical formula would be off by kilometres


def test_geodesic_agrees_with_geopy_on_short_hops() -> None:
    rng = np.random.default_rng(8)
    lat1 = rng.uniform(18, 53, 500)
    lon1 = rng.uniform(73, 135, 500)
    lat2 = lat1 + rng.normal(0, 0.02, 500)
    lon2 = lon1 + rng.normal(0, 0.02, 500)
    absolute, relative = geodesic_errors(lat1, lon1, lat2, lon2)
    assert relative.max() < 1e-3
    assert absolute.max() < 0.1


def test_geodesic_agrees_with_geopy_worldwide() -> None:
    rng = np.random.default_rng(9)
    lat1, lat2 = rng.uniform(-80, 80, (2, 400))
    lon1, lon2 = rng.uniform(-180, 180, (2, 400))
    _, relative = geodesic_errors(lat1, lon1, lat2, lon2)
    assert relative.max() < 1e-3


def test_geodesic_of_a_point_to_itself_is_zero() -> None:
    assert geodesic_m([31.2], [121.4], [31.2], [121.4])[0] == 0.0


# --- the geodesic provider ----------------------------------------------------------------


def test_geodesic_matrix_has_zero_diagonal_and_is_symmetric() -> None:
    matrix = GeodesicTravelProvider().matrix(china_points(300, seed=1))
    for values in (matrix.durations_s, matrix.distances_m):
        assert values.shape == (300, 300)
        assert values.dtype == np.int64
        assert not np.diagonal(values).any()
        assert np.array_equal(values, values.T)
        assert (values + np.eye(300, dtype=np.int64) > 0).all()


def test_geodesic_matrix_is_read_only() -> None:
    matrix = GeodesicTravelProvider().matrix(CITIES)
    with pytest.raises(ValueError, match="read-only"):
        matrix.durations_s[0, 1] = 1


def test_geodesic_matrix_entries_are_the_model_legs() -> None:
    matrix = GeodesicTravelProvider().matrix(CITIES)
    for i, a in enumerate(CITIES):
        for j, b in enumerate(CITIES):
            leg = MODEL.leg(
                float(geodesic_m([a.latitude], [a.longitude], [b.latitude], [b.longitude])[0])
            )
            assert (matrix.seconds(i, j), matrix.metres(i, j)) == (leg.seconds, leg.metres)


def test_duplicate_points_are_zero_apart() -> None:
    matrix = GeodesicTravelProvider().matrix([SHANGHAI, NANJING, GeoPoint(31.2304, 121.4737)])
    assert matrix.seconds(0, 2) == matrix.metres(2, 0) == 0
    assert matrix.seconds(0, 1) == matrix.seconds(2, 1) > 0


def test_empty_point_list_gives_an_empty_matrix() -> None:
    assert GeodesicTravelProvider().matrix([]).size == 0


def test_no_absurd_shortcuts_through_a_third_point() -> None:
    points = china_points(60, seed=2) + CITIES
    t = GeodesicTravelProvider().matrix(points).durations_s
    via = t[:, :, None] + t[None, :, :]  # via[a, b, c] = t(a, b) + t(b, c)
    slack = MODEL.largest_overhead_min * 60 + 2  # + rounding of two legs
    assert (t[:, None, :] <= via + slack).all()


# --- the model ---------------------------------------------------------------------------


@given(
    st.floats(min_value=0, max_value=6_000_000),
    st.floats(min_value=0, max_value=6_000_000),
)
def test_time_increases_with_distance(a: float, b: float) -> None:
    short, long = sorted((a, b))
    legs = MODEL.legs(np.array([short, long]))
    assert legs.seconds[0] <= legs.seconds[1]
    if long - short >= 1.0:
        assert legs.seconds[0] < legs.seconds[1]


def test_a_10_km_urban_trip_takes_what_the_urban_speed_says() -> None:
    assert MODEL.urban_km >= 10
    leg = MODEL.leg(10_000 / MODEL.detour_factor)
    assert leg.mode is TravelMode.ROAD
    assert leg.metres == 10_000
    assert leg.seconds == round(10 / MODEL.urban_kmh * 3600)


def test_road_time_runs_through_the_bands() -> None:
    urban_h = MODEL.urban_km / MODEL.urban_kmh
    suburban_h = MODEL.suburban_km / MODEL.suburban_kmh
    into_suburban = MODEL.urban_km + 10
    expected_min = 60 * (urban_h + 10 / MODEL.suburban_kmh)
    assert MODEL.road_minutes(into_suburban / MODEL.detour_factor) == pytest.approx(expected_min)
    past_bands = MODEL.urban_km + MODEL.suburban_km + 100
    expected_min = 60 * (urban_h + suburban_h + 100 / MODEL.intercity_kmh)
    assert MODEL.road_minutes(past_bands / MODEL.detour_factor) == pytest.approx(expected_min)


def road_s(km: float) -> float:
    """Road seconds for a geodesic distance, straight from the constants."""
    road = km * MODEL.detour_factor
    bands = (
        (MODEL.urban_km, MODEL.urban_kmh),
        (MODEL.suburban_km, MODEL.suburban_kmh),
        (float("inf"), MODEL.intercity_kmh),
    )
    hours = 0.0
    for length, kmh in bands:
        hours += min(road, length) / kmh
        road = max(0.0, road - length)
    return hours * 3600


def rail_s(km: float) -> float:
    return 60 * MODEL.rail_overhead_min + km * MODEL.rail_route_factor / MODEL.rail_kmh * 3600


def air_s(km: float) -> float:
    return 60 * MODEL.air_overhead_min + km * MODEL.air_route_factor / MODEL.air_kmh * 3600


def test_shanghai_to_urumqi_flies() -> None:
    km = geopy_km(SHANGHAI, URUMQI)
    assert km >= MODEL.air_threshold_km
    assert air_s(km) < min(rail_s(km), road_s(km))
    matrix = GeodesicTravelProvider().matrix([SHANGHAI, URUMQI])
    assert matrix.seconds(0, 1) == pytest.approx(air_s(km), abs=2)
    assert matrix.metres(0, 1) == pytest.approx(km * 1000 * MODEL.air_route_factor, abs=2)
    assert MODEL.leg(km * 1000).mode is TravelMode.AIR


def test_shanghai_to_nanjing_takes_the_faster_of_road_and_rail() -> None:
    km = geopy_km(SHANGHAI, NANJING)
    assert MODEL.rail_threshold_km <= km < MODEL.air_threshold_km
    by_rail = rail_s(km) < road_s(km)
    expected_s = min(rail_s(km), road_s(km))
    factor = MODEL.rail_route_factor if by_rail else MODEL.detour_factor
    matrix = GeodesicTravelProvider().matrix([SHANGHAI, NANJING])
    assert matrix.seconds(0, 1) == pytest.approx(expected_s, abs=2)
    assert matrix.metres(0, 1) == pytest.approx(km * 1000 * factor, abs=2)
    assert MODEL.leg(km * 1000).mode is (TravelMode.RAIL if by_rail else TravelMode.ROAD)


def test_no_rail_below_its_threshold_even_where_it_would_be_faster() -> None:
    slow_cheap_rail = TravelModel(
        rail_kmh=60, rail_route_factor=1.0, rail_overhead_min=10, rail_threshold_km=2000, air_kmh=1
    )
    assert slow_cheap_rail.mode_minutes(TravelMode.RAIL, 100) < slow_cheap_rail.road_minutes(100)
    assert slow_cheap_rail.leg(100_000).mode is TravelMode.ROAD
    anywhere = dataclasses.replace(slow_cheap_rail, rail_threshold_km=0)
    assert anywhere.leg(100_000).mode is TravelMode.RAIL


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"urban_kmh": 0}, "urban_kmh must be positive"),
        ({"detour_factor": 0.9}, "detour_factor must be at least 1"),
        ({"air_overhead_min": -1}, "air_overhead_min must not be negative"),
        ({"air_threshold_km": 800}, "air at its threshold"),
        ({"rail_threshold_km": 150}, "rail at its threshold"),
    ],
)
def test_model_rejects_bad_constants(change: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TravelModel(**change)


# --- TravelMatrix ------------------------------------------------------------------------


def square(values: Sequence[Sequence[int]]) -> NDArray[np.int64]:
    return np.array(values, dtype=np.int64)


def test_matrix_copies_writeable_input_and_freezes_it() -> None:
    source = square([[0, 60], [90, 0]])
    matrix = TravelMatrix(source, source * 10)
    source[0, 1] = 5
    assert matrix.seconds(0, 1) == 60
    assert not matrix.durations_s.flags.writeable
    assert not matrix.distances_m.flags.writeable


def test_matrix_minutes_round_up() -> None:
    matrix = TravelMatrix(square([[0, 61], [60, 0]]), square([[0, 1], [1, 0]]))
    assert (matrix.minutes(0, 1), matrix.minutes(1, 0)) == (2, 1)
    assert matrix.durations_min().tolist() == [[0, 2], [1, 0]]


@pytest.mark.parametrize(
    ("durations", "distances", "error", "message"),
    [
        (np.zeros((2, 3), np.int64), np.zeros((2, 3), np.int64), ValueError, "square"),
        (np.zeros((2, 2), np.int64), np.zeros((3, 3), np.int64), ValueError, "differ in shape"),
        (square([[0, -1], [1, 0]]), np.zeros((2, 2), np.int64), ValueError, "negative"),
        (square([[5, 1], [1, 0]]), np.zeros((2, 2), np.int64), ValueError, "zero diagonal"),
        (np.zeros((2, 2)), np.zeros((2, 2), np.int64), TypeError, "integers"),
    ],
)
def test_matrix_validates(
    durations: NDArray[np.int64], distances: NDArray[np.int64], error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        TravelMatrix(durations, distances)


def test_submatrix_follows_the_requested_order() -> None:
    full = GeodesicTravelProvider().matrix(CITIES)
    sub = full.submatrix([3, 0, 3])
    assert sub.size == 3
    assert sub.seconds(0, 1) == full.seconds(3, 0)
    assert sub.seconds(1, 2) == full.seconds(0, 3)
    assert sub.seconds(0, 2) == 0
    with pytest.raises(IndexError):
        full.submatrix([0, len(CITIES)])


# --- the cache ---------------------------------------------------------------------------


class CountingProvider:
    def __init__(self) -> None:
        self.calls = 0
        self.inner = GeodesicTravelProvider()

    def matrix(self, points: Sequence[GeoPoint]) -> TravelMatrix:
        self.calls += 1
        return self.inner.matrix(points)


def test_cache_returns_the_same_object_for_the_same_points() -> None:
    counting = CountingProvider()
    cache = CachedTravelProvider(counting)
    first = cache.matrix([SHANGHAI, NANJING])
    again = cache.matrix([GeoPoint(31.2304, 121.4737), GeoPoint(32.0603, 118.7969)])
    assert again is first
    assert counting.calls == 1
    assert cache.cache_info().hits == 1


def test_cache_computes_different_points_separately() -> None:
    counting = CountingProvider()
    cache = CachedTravelProvider(counting)
    first = cache.matrix([SHANGHAI, NANJING])
    swapped = cache.matrix([NANJING, SHANGHAI])
    other = cache.matrix([SHANGHAI, BEIJING])
    assert swapped is not first and other is not first
    assert counting.calls == 3
    assert swapped.seconds(0, 1) == first.seconds(1, 0)


def test_cache_evicts_the_least_recently_used() -> None:
    counting = CountingProvider()
    cache = CachedTravelProvider(counting, maxsize=2)
    a = cache.matrix([SHANGHAI])
    cache.matrix([NANJING])
    assert cache.matrix([SHANGHAI]) is a  # SHANGHAI is now the most recent
    cache.matrix([BEIJING])  # evicts NANJING
    assert cache.matrix([SHANGHAI]) is a
    calls = counting.calls
    cache.matrix([NANJING])
    assert counting.calls == calls + 1
    assert cache.cache_info().entries == 2


def test_cache_does_not_keep_matrices_over_its_byte_budget() -> None:
    counting = CountingProvider()
    cache = CachedTravelProvider(counting, max_bytes=100)
    first = cache.matrix(CITIES)
    assert cache.matrix(CITIES) is not first
    assert cache.cache_info().entries == 0


def test_default_provider_is_one_cached_geodesic_provider() -> None:
    provider = default_provider()
    assert provider is default_provider()
    assert isinstance(provider, CachedTravelProvider)
    assert isinstance(provider.provider, GeodesicTravelProvider)
    assert provider.matrix(CITIES) is provider.matrix(list(CITIES))


# --- the matrix file provider ------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_file_provider_round_trips(tmp_path: Path, suffix: str) -> None:
    full = GeodesicTravelProvider().matrix(CITIES)
    path = tmp_path / f"matrix{suffix}"
    write_matrix_file(path, CITIES, full)
    provider = MatrixFileProvider(path)
    assert provider.size == len(CITIES)
    loaded = provider.matrix(CITIES)
    assert np.array_equal(loaded.durations_s, full.durations_s)
    assert np.array_equal(loaded.distances_m, full.distances_m)


def test_file_provider_returns_the_requested_points_in_order(tmp_path: Path) -> None:
    full = GeodesicTravelProvider().matrix(CITIES)
    path = tmp_path / "matrix.json"
    write_matrix_file(path, CITIES, full)
    near_chengdu = GeoPoint(CHENGDU.latitude + MATCH_TOLERANCE_DEG / 2, CHENGDU.longitude)
    sub = MatrixFileProvider(path).matrix([near_chengdu, SHANGHAI, URUMQI])
    order = [5, 0, 2]
    assert np.array_equal(sub.durations_s, full.durations_s[np.ix_(order, order)])
    assert np.array_equal(sub.distances_m, full.distances_m[np.ix_(order, order)])


def test_file_provider_names_an_unknown_point(tmp_path: Path) -> None:
    path = tmp_path / "matrix.npz"
    write_matrix_file(path, CITIES[:2], GeodesicTravelProvider().matrix(CITIES[:2]))
    off = GeoPoint(SHANGHAI.latitude + 3 * MATCH_TOLERANCE_DEG, SHANGHAI.longitude)
    with pytest.raises(UnknownPointError, match=r"point #1 \(31\.23040") as caught:
        MatrixFileProvider(path).matrix([NANJING, off])
    assert caught.value.position == 1
    assert caught.value.path == path


def test_file_provider_rounds_fractional_values(tmp_path: Path) -> None:
    path = tmp_path / "matrix.json"
    document = {
        "points": [[31.0, 121.0], [32.0, 118.0]],
        "durations_s": [[0, 100.4], [99.6, 0]],
        "distances_m": [[0, 1000], [1000, 0]],
    }
    path.write_text(json.dumps(document))
    matrix = MatrixFileProvider(path).matrix([GeoPoint(32.0, 118.0), GeoPoint(31.0, 121.0)])
    assert matrix.durations_s.tolist() == [[0, 100], [100, 0]]


GOOD = {
    "points": [[31.0, 121.0], [32.0, 118.0]],
    "durations_s": [[0, 100], [100, 0]],
    "distances_m": [[0, 1000], [1000, 0]],
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"durations_s": None}, r"missing key.*durations_s"),
        ({"durations_s": [[0, 100, 5], [100, 0, 5]]}, r"durations_s must be 2 x 2"),
        ({"distances_m": [[0, -1], [1000, 0]]}, "distances_m has negative values"),
        ({"distances_m": [[0, 1000], [1000]]}, "distances_m is not a rectangular array"),
        ({"durations_s": [[1, 100], [100, 0]]}, "durations_s must have a zero diagonal"),
        ({"points": [[31.0, 121.0, 0.0], [32.0, 118.0, 0.0]]}, "latitude, longitude"),
        ({"points": [[31.0, 121.0], [31.0, 121.0]]}, "points #0 and #1 are within"),
        ({"points": [[95.0, 121.0], [32.0, 118.0]]}, "latitudes in -90..90"),
        ({"durations_s": [[0, "x"], [100, 0]]}, "durations_s is not a rectangular array"),
    ],
)
def test_file_provider_rejects_bad_files(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    document = {key: value for key, value in {**GOOD, **change}.items() if value is not None}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match=message):
        MatrixFileProvider(path)


def test_file_provider_rejects_bad_npz(tmp_path: Path) -> None:
    path = tmp_path / "bad.npz"
    np.savez(path, points=np.array(GOOD["points"]), durations_s=np.array(GOOD["durations_s"]))
    with pytest.raises(ValueError, match=r"missing key.*distances_m"):
        MatrixFileProvider(path)
    path.write_bytes(b"not a zip archive")
    with pytest.raises(ValueError, match=r"bad\.npz"):
        MatrixFileProvider(path)


@pytest.mark.parametrize(("name", "content"), [("m.json", "{not json"), ("m.csv", "")])
def test_file_provider_rejects_unreadable_files(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ValueError, match=r"not valid JSON|\.json or \.npz"):
        MatrixFileProvider(path)
