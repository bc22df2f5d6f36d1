"""Time building geodesic travel matrices, and print where the travel modes switch.

    .venv/bin/python bench/travel_matrix.py [--sizes 1000 5000] [--repeat 3]

Points are uniform over China's bounding box; the build is uncached. For scale, it also
times geopy's per-pair ``geodesic`` on a sample and extrapolates to the largest size.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
from geopy.distance import geodesic

from dispatch.domain import GeoPoint
from dispatch.travel import GeodesicTravelProvider, TravelModel, mode_of


def china_points(n: int, seed: int = 0) -> list[GeoPoint]:
    rng = np.random.default_rng(seed)
    lats = rng.uniform(18.0, 53.0, n)
    lons = rng.uniform(73.0, 135.0, n)
    return [GeoPoint(float(a), float(b)) for a, b in zip(lats, lons, strict=True)]


def time_matrix(n: int, repeat: int) -> tuple[float, float, int]:
    """Seconds of the first build and the best of ``repeat``, and the matrix bytes.

    The first build of a size pays for faulting in fresh memory for the result; later
    ones reuse the pages the allocator kept.
    """
    provider = GeodesicTravelProvider()
    points = china_points(n)
    times, nbytes = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        nbytes = provider.matrix(points).nbytes
        times.append(time.perf_counter() - start)
    return times[0], min(times), nbytes


def geopy_seconds_per_pair(pairs: int = 2000) -> float:
    points = china_points(2 * pairs, seed=1)
    start = time.perf_counter()
    for a, b in zip(points[::2], points[1::2], strict=True):
        geodesic((a.latitude, a.longitude), (b.latitude, b.longitude))
    return (time.perf_counter() - start) / pairs


def mode_switches(model: TravelModel, max_km: int = 5000) -> list[tuple[float, str]]:
    """Geodesic km (to 0.1 km) at which the fastest mode changes."""
    km = np.arange(0, max_km * 10 + 1) / 10
    modes = model.legs(km * 1000).modes
    changes = np.flatnonzero(np.diff(modes)) + 1
    return [(float(km[i]), mode_of(int(modes[i])).value) for i in changes]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print(f"numpy {np.__version__}, python {platform.python_version()}")
    for n in args.sizes:
        first, best, nbytes = time_matrix(n, args.repeat)
        print(
            f"{n:>6} points ({n * n / 1e6:.1f} M pairs): first {first:.2f} s, "
            f"best of {args.repeat} {best:.2f} s, {nbytes / 2**20:.0f} MiB"
        )
    per_pair = geopy_seconds_per_pair()
    largest = max(args.sizes)
    print(
        f"geopy geodesic: {per_pair * 1e6:.0f} µs a pair, i.e. ~{per_pair * largest**2 / 60:.0f} "
        f"min for {largest} points"
    )
    for km, mode in mode_switches(TravelModel()):
        print(f"default model: {mode} is fastest from {km:.1f} km (geodesic)")


if __name__ == "__main__":
    main()
