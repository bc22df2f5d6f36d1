"""The ticket status lifecycle: which status may follow which (SPEC §2).

new -> remote_diagnosis -> awaiting_dispatch -> dispatched -> en_route -> on_site
-> fixed_on_site | carried_back -> closed; cancelled from any open state.
A dispatched ticket may go back to awaiting_dispatch when a re-plan takes it off a route.
"""

from __future__ import annotations

from dispatch.domain import TicketStatus
from dispatch.errors import DispatchError

S = TicketStatus

_NEXT: dict[TicketStatus, frozenset[TicketStatus]] = {
    S.NEW: frozenset({S.REMOTE_DIAGNOSIS, S.AWAITING_DISPATCH}),
    S.REMOTE_DIAGNOSIS: frozenset({S.AWAITING_DISPATCH, S.CLOSED}),
    S.AWAITING_DISPATCH: frozenset({S.DISPATCHED}),
    S.DISPATCHED: frozenset({S.EN_ROUTE, S.AWAITING_DISPATCH}),
    S.EN_ROUTE: frozenset({S.ON_SITE}),
    S.ON_SITE: frozenset({S.FIXED_ON_SITE, S.CARRIED_BACK}),
    S.FIXED_ON_SITE: frozenset({S.CLOSED}),
    S.CARRIED_BACK: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}

OPEN_STATUSES: frozenset[TicketStatus] = frozenset(
    s for s in TicketStatus if s not in (S.CLOSED, S.CANCELLED)
)
"""Statuses from which a ticket can still be cancelled."""

PLANNABLE_STATUSES: frozenset[TicketStatus] = frozenset({S.AWAITING_DISPATCH, S.DISPATCHED})
"""Tickets a new plan may (re)assign: nobody is travelling to them or working on them yet."""


class IllegalTransitionError(DispatchError, ValueError):
    """A status change the lifecycle does not allow."""

    def __init__(self, current: TicketStatus, target: TicketStatus) -> None:
        allowed = ", ".join(sorted(allowed_next(current))) or "none (final status)"
        super().__init__(
            f"a ticket cannot go from {current.value} to {target.value}; allowed: {allowed}"
        )
        self.current = current
        self.target = target


def allowed_next(current: TicketStatus) -> frozenset[TicketStatus]:
    """The statuses that may follow ``current``."""
    if current in OPEN_STATUSES:
        return _NEXT[current] | {S.CANCELLED}
    return _NEXT[current]


def transition(current: TicketStatus, target: TicketStatus) -> TicketStatus:
    """Return ``target`` if the lifecycle allows it after ``current``, else raise."""
    if target not in allowed_next(current):
        raise IllegalTransitionError(current, target)
    return target
