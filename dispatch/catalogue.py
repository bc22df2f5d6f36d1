"""The product lines the company sells and services (001 §5.3): the only lines a call may
name. The catalogue itself (models, faults, durations) is ``fixtures.products``."""

from __future__ import annotations

from fixtures.products import PRODUCT_LINES as _CATALOGUE

PRODUCT_LINES: tuple[str, ...] = tuple(line.slug for line in _CATALOGUE)
