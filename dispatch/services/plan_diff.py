"""A plan version against the published one: what a dispatcher checks before publishing,
and what an engineer's phone shows after a re-plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from dispatch.services.plan_document import PlanDocument, RouteDocument, Stop

ETA_SHIFT = timedelta(minutes=15)
"""An ETA moving by more than this is news to the engineer (issue 10)."""


@dataclass(frozen=True, slots=True)
class MovedTicket:
    ticket_id: int
    customer: str
    before: str | None
    """Engineer before (None: unassigned or not in the published plan)."""
    after: str | None


@dataclass(frozen=True, slots=True)
class Figures:
    on_time: int
    late: int
    unassigned: int
    travel_km: float


@dataclass(frozen=True, slots=True)
class PlanDiff:
    moved: tuple[MovedTicket, ...]
    next_stop_changed: tuple[str, ...]
    before: Figures | None
    after: Figures


def _figures(document: PlanDocument) -> Figures:
    kpis = document.kpis
    return Figures(kpis.on_time, len(kpis.late), kpis.unassigned, kpis.travel_km)


def _owners(document: PlanDocument | None) -> dict[int, tuple[str, str]]:
    if document is None:
        return {}
    return {s.ticket_id: (r.engineer_id, s.customer) for r in document.routes for s in r.stops}


def _first_stops(document: PlanDocument | None) -> dict[str, int]:
    if document is None:
        return {}
    return {r.engineer_id: r.stops[0].ticket_id for r in document.routes if r.stops}


def plan_diff(candidate: PlanDocument, published: PlanDocument | None) -> PlanDiff:
    """Tickets whose engineer changed, engineers whose next stop changed, figures."""
    old, new = _owners(published), _owners(candidate)
    moved = [
        MovedTicket(
            ticket_id,
            (new.get(ticket_id) or old[ticket_id])[1],
            old[ticket_id][0] if ticket_id in old else None,
            new[ticket_id][0] if ticket_id in new else None,
        )
        for ticket_id in sorted(set(old) | set(new))
        if (old.get(ticket_id) or (None,))[0] != (new.get(ticket_id) or (None,))[0]
    ]
    first_old, first_new = _first_stops(published), _first_stops(candidate)
    changed = sorted(
        e for e in set(first_old) | set(first_new) if first_old.get(e) != first_new.get(e)
    )
    return PlanDiff(
        tuple(moved),
        tuple(changed),
        _figures(published) if published else None,
        _figures(candidate),
    )


@dataclass(frozen=True, slots=True)
class RouteChanges:
    """One engineer's route against the version they last saw."""

    since: int | None
    current: int | None
    added: tuple[int, ...]
    removed: tuple[int, ...]
    moved: tuple[int, ...]
    """Still on the route, at another position."""
    eta_shifted: tuple[tuple[int, int], ...]
    """(ticket, minutes) for ETAs that moved by more than ``ETA_SHIFT``."""

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.moved or self.eta_shifted)


def _order(stops: list[Stop]) -> dict[int, tuple[int, Stop]]:
    return {stop.ticket_id: (n, stop) for n, stop in enumerate(stops)}


def route_changes(
    since: int | None, seen: RouteDocument | None, current_plan: int | None, current: list[Stop]
) -> RouteChanges:
    """Stops added, removed, moved in order, and ETAs shifted, from ``seen`` to ``current``."""
    before = _order(seen.stops if seen else [])
    after = _order(current)
    common = [t for t in after if t in before]
    rank_before = sorted(common, key=lambda t: before[t][0])
    rank_after = sorted(common, key=lambda t: after[t][0])
    shifted = []
    for ticket_id in common:
        delta = after[ticket_id][1].arrival - before[ticket_id][1].arrival
        if abs(delta) > ETA_SHIFT:
            shifted.append((ticket_id, round(delta.total_seconds() / 60)))
    return RouteChanges(
        since=since,
        current=current_plan,
        added=tuple(t for t in after if t not in before),
        removed=tuple(t for t in before if t not in after),
        moved=tuple(t for t, a, b in zip(common, rank_before, rank_after, strict=True) if a != b),
        eta_shifted=tuple(shifted),
    )
