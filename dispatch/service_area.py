"""A ticket's service area and its arrival deadline (SPEC §3, §5).

The service area comes from the site's geodesic distance to the office (per-office radii,
overridable per site). The deadline is the earliest of the rules that apply to the ticket:
6 or 7 working hours for urban and suburban sites, 36 wall-clock hours for regional sites,
emergencies and faults that remote diagnosis could not fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from geopy.distance import geodesic

from dispatch.calendar import BusinessCalendar
from dispatch.domain import DeadlineRule, GeoPoint, Office, ServiceArea, TicketDraft

# 004 Art. 19: "urban areas use a 6-hour system, suburban areas a 7-hour system", counted
# in working time from the call to arrival on site.
URBAN_WORKING_HOURS = 6
SUBURBAN_WORKING_HOURS = 7

# 001 §3.1.6 (also §6.5.1b, §6.5.3c): on site within 36 hours when remote diagnosis fails
# and for every emergency; wall-clock, as the emergency service runs 7×24.
ARRIVAL_TARGET = timedelta(hours=36)

RADIUS_TOLERANCE_KM = 1e-6
"""Slack on the inclusive radii (1 mm): a point placed at exactly 15 km with geopy comes back
at 15 km ± 1e-12 from the geodesic solver, and that float noise must not change its area."""

_WORKING_HOURS_RULES: dict[ServiceArea, tuple[int, DeadlineRule]] = {
    ServiceArea.URBAN: (URBAN_WORKING_HOURS, DeadlineRule.SIX_WORKING_HOURS),
    ServiceArea.SUBURBAN: (SUBURBAN_WORKING_HOURS, DeadlineRule.SEVEN_WORKING_HOURS),
}


@dataclass(frozen=True, slots=True)
class Deadline:
    """When an engineer must be on site, and the rule that set it."""

    at: datetime
    rule: DeadlineRule


def distance_km(a: GeoPoint, b: GeoPoint) -> float:
    """Geodesic (WGS84) distance between two points in kilometres."""
    return float(geodesic((a.latitude, a.longitude), (b.latitude, b.longitude)).km)


def classify_site(
    office: Office, site: GeoPoint, override: ServiceArea | None = None
) -> ServiceArea:
    """The service area of ``site`` for ``office``; radii are inclusive, an override wins."""
    if override is not None:
        return override
    km = distance_km(office.location, site)
    if km <= office.urban_radius_km + RADIUS_TOLERANCE_KM:
        return ServiceArea.URBAN
    if km <= office.suburban_radius_km + RADIUS_TOLERANCE_KM:
        return ServiceArea.SUBURBAN
    return ServiceArea.REGIONAL


def arrival_deadline(
    calendar: BusinessCalendar,
    called_at: datetime,
    area: ServiceArea,
    *,
    emergency: bool,
    remote_failed: bool,
) -> Deadline:
    """The earliest deadline among the rules that apply, in the office's time zone.

    On a tie the working-hours rule is named: it is the one the regulation sets for the
    area, the 36-hour target being the fallback.
    """
    candidates: list[Deadline] = []
    if area in _WORKING_HOURS_RULES:
        hours, rule = _WORKING_HOURS_RULES[area]
        candidates.append(Deadline(calendar.add_working_hours(called_at, hours), rule))
    if area is ServiceArea.REGIONAL or emergency or remote_failed:
        candidates.append(
            Deadline(_wall_clock_target(calendar, called_at), DeadlineRule.THIRTY_SIX_HOURS)
        )
    return min(candidates, key=lambda deadline: deadline.at)


def _wall_clock_target(calendar: BusinessCalendar, called_at: datetime) -> datetime:
    """Call + 36 elapsed hours, added in UTC so a DST change does not shift it."""
    if called_at.tzinfo is None:
        raise ValueError("called_at must be a timezone-aware datetime")
    return (called_at.astimezone(UTC) + ARRIVAL_TARGET).astimezone(calendar.zone())


def register(draft: TicketDraft, office: Office) -> tuple[ServiceArea, Deadline]:
    """Classify a new call's site and compute its arrival deadline."""
    if draft.office_code != office.code:
        raise ValueError(
            f"ticket draft belongs to office {draft.office_code!r}, not {office.code!r}"
        )
    area = classify_site(office, draft.site, draft.area_override)
    deadline = arrival_deadline(
        office.calendar,
        draft.called_at,
        area,
        emergency=draft.emergency,
        remote_failed=draft.remote_failed,
    )
    return area, deadline
