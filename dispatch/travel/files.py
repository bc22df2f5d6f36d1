"""``MatrixFileProvider``: travel from a user-supplied matrix file (JSON or NPZ).

The file holds ``points`` (n x [latitude, longitude]), ``durations_s`` and ``distances_m``
(n x n, non-negative, zero diagonal). Values may be fractional; they are rounded to whole
seconds and metres. Requested points are matched to the file's by coordinates.
"""

from __future__ import annotations

import json
import math
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from dispatch.travel.matrix import TravelMatrix, coordinates

if TYPE_CHECKING:
    from dispatch.domain import GeoPoint

MATCH_TOLERANCE_DEG = 1e-6
"""A requested point matches a file point when both coordinates are this close (~0.1 m)."""
_SLACK_DEG = 1e-12
"""Absorbs binary rounding of decimal coordinates at exactly the tolerance."""
_KEYS = ("points", "durations_s", "distances_m")

FloatArray = NDArray[np.float64]


class UnknownPointError(LookupError):
    """A requested point is not in the matrix file."""

    def __init__(self, point: tuple[float, float], position: int, path: Path) -> None:
        self.point = point
        self.position = position
        self.path = path
        super().__init__(
            f"point #{position} ({point[0]:.7f}, {point[1]:.7f}) is not in the travel matrix "
            f"file {path} (no point within {MATCH_TOLERANCE_DEG:g} degrees)"
        )


class MatrixFileProvider:
    """Serves sub-matrices of a travel matrix file, loaded and validated once."""

    def __init__(self, path: Path | str) -> None:
        self._path = Path(path)
        points, durations, distances = _load(self._path)
        self._coords = points
        self._full = TravelMatrix(durations, distances)
        self._index = _PointIndex(points, self._path)

    @property
    def path(self) -> Path:
        return self._path

    @property
    def size(self) -> int:
        """The number of points in the file."""
        return self._full.size

    def matrix(self, points: Sequence[GeoPoint]) -> TravelMatrix:
        wanted = coordinates(points)
        indices = []
        for position, (lat, lon) in enumerate(wanted.tolist()):
            found = self._index.find(lat, lon)
            if found is None:
                raise UnknownPointError((lat, lon), position, self._path)
            indices.append(found)
        return self._full.submatrix(indices)

    def __repr__(self) -> str:
        return f"MatrixFileProvider({str(self._path)!r})"


def write_matrix_file(path: Path | str, points: Sequence[GeoPoint], matrix: TravelMatrix) -> None:
    """Write ``matrix`` for ``points`` as a matrix file (JSON or NPZ, by the suffix)."""
    path = Path(path)
    coords = coordinates(points)
    if coords.shape[0] != matrix.size:
        raise ValueError(f"{coords.shape[0]} points for a matrix of {matrix.size}")
    suffix = _suffix(path)
    if suffix == ".json":
        document = {
            "points": coords.tolist(),
            "durations_s": matrix.durations_s.tolist(),
            "distances_m": matrix.distances_m.tolist(),
        }
        path.write_text(json.dumps(document), encoding="utf-8")
    else:
        with path.open("wb") as stream:
            np.savez_compressed(
                stream,
                points=coords,
                durations_s=matrix.durations_s,
                distances_m=matrix.distances_m,
            )


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".json", ".npz"):
        raise ValueError(f"travel matrix file {path} must end in .json or .npz")
    return suffix


def _load(path: Path) -> tuple[FloatArray, NDArray[np.int64], NDArray[np.int64]]:
    raw = _read_json(path) if _suffix(path) == ".json" else _read_npz(path)
    points = _float_array(path, "points", raw["points"])
    n = points.shape[0] if points.ndim == 2 else -1
    if n < 1 or points.shape != (n, 2):
        raise ValueError(f"{path}: points must be a non-empty list of [latitude, longitude] pairs")
    if np.any(np.abs(points[:, 0]) > 90) or np.any(np.abs(points[:, 1]) > 180):
        raise ValueError(f"{path}: points must be latitudes in -90..90, longitudes in -180..180")
    return points, _matrix(path, "durations_s", raw, n), _matrix(path, "distances_m", raw, n)


def _matrix(path: Path, key: str, raw: dict[str, Any], n: int) -> NDArray[np.int64]:
    values = _float_array(path, key, raw[key])
    if values.shape != (n, n):
        raise ValueError(f"{path}: {key} must be {n} x {n} for {n} points, got {values.shape}")
    if values.min() < 0:
        raise ValueError(f"{path}: {key} has negative values, e.g. {values.min():g}")
    if np.any(np.diagonal(values) != 0):
        raise ValueError(f"{path}: {key} must have a zero diagonal")
    return np.rint(values).astype(np.int64)


def _float_array(path: Path, key: str, value: object) -> FloatArray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: {key} is not a rectangular array of numbers") from exc
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{path}: {key} has values that are not finite numbers")
    return array


def _read_json(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(document, dict):
        raise ValueError(f"{path}: expected a JSON object with keys {', '.join(_KEYS)}")
    _require_keys(path, document.keys())
    return document


def _read_npz(path: Path) -> dict[str, Any]:
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ValueError(f"{path}: not a readable .npz archive of arrays ({exc})") from exc
    _require_keys(path, arrays.keys())
    return arrays


def _require_keys(path: Path, present: object) -> None:
    missing = [key for key in _KEYS if key not in present]  # type: ignore[operator]
    if missing:
        raise ValueError(f"{path}: missing key(s) {', '.join(repr(k) for k in missing)}")


class _PointIndex:
    """Finds a file point within the tolerance of a coordinate, through a grid of cells."""

    def __init__(self, points: FloatArray, path: Path) -> None:
        self._points = points
        self._cells: dict[tuple[int, int], list[int]] = {}
        for index, (lat, lon) in enumerate(points.tolist()):
            twin = self.find(lat, lon)
            if twin is not None:
                raise ValueError(
                    f"{path}: points #{twin} and #{index} are within {MATCH_TOLERANCE_DEG:g} "
                    "degrees of each other, so requests cannot tell them apart"
                )
            self._cells.setdefault(_cell(lat, lon), []).append(index)

    def find(self, lat: float, lon: float) -> int | None:
        """The index of the nearest point within the tolerance, or None."""
        row, col = _cell(lat, lon)
        best: tuple[float, int] | None = None
        for d_row in (-1, 0, 1):
            for d_col in (-1, 0, 1):
                for index in self._cells.get((row + d_row, col + d_col), ()):
                    gap = self._gap(index, lat, lon)
                    if gap <= MATCH_TOLERANCE_DEG + _SLACK_DEG and (best is None or gap < best[0]):
                        best = (gap, index)
        return None if best is None else best[1]

    def _gap(self, index: int, lat: float, lon: float) -> float:
        return float(max(abs(self._points[index, 0] - lat), abs(self._points[index, 1] - lon)))


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / MATCH_TOLERANCE_DEG), math.floor(lon / MATCH_TOLERANCE_DEG)
