"""The ticket lifecycle allows exactly the documented transitions."""

from __future__ import annotations

import itertools

import pytest

from dispatch.domain import TicketStatus as S
from dispatch.lifecycle import OPEN_STATUSES, IllegalTransitionError, allowed_next, transition

HAPPY_PATH = [
    S.NEW,
    S.REMOTE_DIAGNOSIS,
    S.AWAITING_DISPATCH,
    S.DISPATCHED,
    S.EN_ROUTE,
    S.ON_SITE,
    S.FIXED_ON_SITE,
    S.CLOSED,
]


def test_the_happy_path_is_allowed_step_by_step() -> None:
    for current, target in itertools.pairwise(HAPPY_PATH):
        assert transition(current, target) is target


def test_carried_back_is_an_alternative_to_fixed_on_site() -> None:
    assert transition(S.ON_SITE, S.CARRIED_BACK) is S.CARRIED_BACK
    assert transition(S.CARRIED_BACK, S.CLOSED) is S.CLOSED


@pytest.mark.parametrize("status", sorted(OPEN_STATUSES))
def test_every_open_ticket_can_be_cancelled(status: S) -> None:
    assert transition(status, S.CANCELLED) is S.CANCELLED


@pytest.mark.parametrize("final", [S.CLOSED, S.CANCELLED])
def test_final_statuses_allow_nothing(final: S) -> None:
    assert allowed_next(final) == frozenset()
    with pytest.raises(IllegalTransitionError):
        transition(final, S.AWAITING_DISPATCH)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.NEW, S.ON_SITE),
        (S.AWAITING_DISPATCH, S.ON_SITE),
        (S.DISPATCHED, S.FIXED_ON_SITE),
        (S.EN_ROUTE, S.DISPATCHED),
        (S.ON_SITE, S.CLOSED),
        (S.FIXED_ON_SITE, S.ON_SITE),
    ],
)
def test_skipping_or_reversing_steps_is_refused_with_a_clear_reason(current: S, target: S) -> None:
    with pytest.raises(IllegalTransitionError) as raised:
        transition(current, target)
    assert current.value in str(raised.value)
    assert target.value in str(raised.value)


def test_a_replan_may_take_a_dispatched_ticket_back() -> None:
    assert transition(S.DISPATCHED, S.AWAITING_DISPATCH) is S.AWAITING_DISPATCH
