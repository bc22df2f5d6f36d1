"""What the dispatcher's board and the engineer's day page show, from the plan document.

The pages render these views and add nothing of their own: the same document the CLI
prints and the API serves (``plan_document``), laid out for the timeline
(``timeline``), the map (here) and the comparison with the published version
(``plan_diff``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from dispatch.domain import Office
from dispatch.services import directory
from dispatch.services.plan_diff import PlanDiff, RouteChanges, plan_diff, route_changes
from dispatch.services.plan_document import (
    PlanDocument,
    Reason,
    RouteDocument,
    Stop,
    load_plan_document,
    stop_of,
)
from dispatch.services.planning import offices_in_scope
from dispatch.services.problem_builder import working_days
from dispatch.services.publishing import published_route
from dispatch.services.timeline import Row, timeline_row
from dispatch.store.repository import PlanRepository, TicketRepository

LatLon = tuple[float, float]


@dataclass(frozen=True, slots=True)
class MapPoint:
    latitude: float
    longitude: float
    kind: str
    """office, on_time, at_risk (within an hour of the deadline), late or unassigned."""
    label: str


@dataclass(frozen=True, slots=True)
class MapLine:
    points: tuple[LatLon, ...]
    """The engineer's route: home office, then each site, as (latitude, longitude)."""
    label: str


@dataclass(frozen=True, slots=True)
class Attention:
    """A late or unassigned ticket with the plan's reason."""

    ticket_id: int
    kind: str
    engineer: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class Board:
    scope: tuple[str, ...]
    day: date
    document: PlanDocument | None
    """The newest version of the scope and day, published or not."""
    published: PlanDocument | None
    rows: tuple[Row, ...]
    points: tuple[MapPoint, ...]
    lines: tuple[MapLine, ...]
    attention: tuple[Attention, ...]
    diff: PlanDiff | None
    """The newest version against the published one, when it is not itself published."""


def _site_kind(stop: Stop) -> str:
    if stop.minutes_late:
        return "late"
    if (stop.deadline - stop.arrival).total_seconds() < 3600:
        return "at_risk"
    return "on_time"


def _map(
    document: PlanDocument, offices: dict[str, Office]
) -> tuple[list[MapPoint], list[MapLine]]:
    points = [
        MapPoint(o.location.latitude, o.location.longitude, "office", o.name)
        for o in offices.values()
    ]
    lines = []
    for route in document.routes:
        if not route.stops:
            continue
        home = offices[route.office].location
        path = [(home.latitude, home.longitude)]
        for stop in route.stops:
            path.append((stop.latitude, stop.longitude))
            label = f"#{stop.ticket_id} {stop.customer}"
            points.append(MapPoint(stop.latitude, stop.longitude, _site_kind(stop), label))
        lines.append(MapLine(tuple(path), route.engineer))
    return points, lines


def _attention(document: PlanDocument) -> list[Attention]:
    reasons: dict[int, Reason] = document.kpis.reasons
    stops = document.stops()
    found = [Attention(u.ticket_id, "unassigned", None, u.reason) for u in document.unassigned]
    for late in document.kpis.late:
        route, _ = stops[late.ticket_id]
        why = reasons.get(late.ticket_id)
        text = why.message if why else f"{late.minutes_late} min late"
        found.append(Attention(late.ticket_id, "late", route.engineer, text))
    return found


def board(session: Session, scope: str, day: date) -> Board:
    """The board of a scope (``ALL``, ``region:NAME`` or office codes) and day."""
    chosen, codes = offices_in_scope(session, scope)
    plans = PlanRepository(session)
    newest = plans.latest(codes, day)
    current = plans.latest(codes, day, published_only=True)
    document = load_plan_document(session, newest) if newest else None
    published = document if current and newest and current.id == newest.id else None
    if current and published is None:
        published = load_plan_document(session, current)
    if document is None:
        return Board(codes, day, None, None, (), (), (), (), None)
    points, lines = _map(document, chosen)
    diff = plan_diff(document, published) if not document.published else None
    rows = tuple(timeline_row(route) for route in document.routes)
    return Board(
        codes,
        day,
        document,
        published,
        rows,
        tuple(points),
        tuple(lines),
        tuple(_attention(document)),
        diff,
    )


@dataclass(frozen=True, slots=True)
class Comparison:
    """A plan version beside the published one of its scope and day."""

    plan: PlanDocument
    published: PlanDocument | None
    diff: PlanDiff
    before: tuple[Row, ...]
    """Timeline rows, in the published version, of the engineers the version changes."""
    after: tuple[Row, ...]


def _changed_rows(document: PlanDocument | None, engineers: set[str]) -> tuple[Row, ...]:
    if document is None:
        return ()
    return tuple(timeline_row(r) for r in document.routes if r.engineer_id in engineers)


def plan_comparison(session: Session, plan_id: int) -> Comparison:
    """A plan version, the published version of its scope and day, their diff, and the
    timelines of the engineers whose work changes, before and after."""
    plans = PlanRepository(session)
    candidate = plans.get(plan_id)
    current = plans.latest(candidate.scope, candidate.plan_date, published_only=True)
    document = load_plan_document(session, candidate)
    published = load_plan_document(session, current) if current else None
    diff = plan_diff(document, published)
    ends = [e for m in diff.moved for e in (m.before, m.after) if e is not None]
    changed = set(ends) | set(diff.next_stop_changed)
    before = _changed_rows(published, changed)
    return Comparison(document, published, diff, before, _changed_rows(document, changed))


@dataclass(frozen=True, slots=True)
class EngineerDay:
    engineer_id: str
    engineer: str
    office: str
    day: date
    next_day: date
    plan_id: int | None
    today: tuple[Stop, ...]
    tomorrow: tuple[Stop, ...]


def route_stops(
    session: Session, engineer_id: str, day: date
) -> tuple[int | None, tuple[Stop, ...]]:
    """The engineer's published stops of ``day``, numbered 1, 2, ... in route order, on
    their office's clock, and the plan the route comes from (None if nothing is published).
    """
    _, zone = directory.engineer_zone(session, engineer_id)
    route = published_route(session, engineer_id, day)
    tickets = TicketRepository(session)
    stops = tuple(
        stop_of(v, tickets.get(v.ticket_id), zone).model_copy(update={"sequence": n})
        for n, v in enumerate(route.visits, start=1)
    )
    return route.plan_id, stops


def engineer_day(session: Session, engineer_id: str, day: date) -> EngineerDay:
    """The engineer's published stops of ``day`` and of the next working day."""
    engineer = directory.engineer(session, engineer_id)
    office = directory.office(session, engineer.office_code)
    today, tomorrow = working_days(office.calendar, day)
    plan_id, stops = route_stops(session, engineer_id, day)
    _, later = route_stops(session, engineer_id, tomorrow)
    stops_today = tuple(s for s in stops if s.arrival.date() <= today)
    later = later + tuple(s for s in stops if s.arrival.date() > today)
    return EngineerDay(
        engineer.id,
        engineer.name,
        engineer.office_code,
        today,
        tomorrow,
        plan_id,
        stops_today,
        later,
    )


def changes_since(session: Session, engineer_id: str, day: date, since: int | None) -> RouteChanges:
    """What changed on the engineer's published route of ``day`` since plan ``since``.

    A route's version is the id of the published plan it comes from; ``since`` None (or
    a plan not routing this engineer) counts every current stop as added.
    """
    plan_id, current = route_stops(session, engineer_id, day)
    seen: RouteDocument | None = None
    if since is not None:
        document = load_plan_document(session, PlanRepository(session).get(since))
        seen = next((r for r in document.routes if r.engineer_id == engineer_id), None)
    return route_changes(since, seen, plan_id, list(current))
