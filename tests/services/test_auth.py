"""Users, tokens and the role rules."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.errors import NotFoundError
from dispatch.services.auth import (
    ForbiddenError,
    authenticate,
    create_user,
    hash_token,
    require_engineer,
    require_scope,
)
from dispatch.store.models import UserRow
from dispatch.store.users import Role, User
from tests.api.conftest import load_organisation


@pytest.fixture(autouse=True)
def organisation(session: Session) -> None:
    load_organisation(session)


def test_only_the_hash_of_a_token_is_stored(session: Session) -> None:
    user, token = create_user(session, name="Li", role=Role.ADMIN)
    stored = session.scalars(select(UserRow.token_hash)).one()
    assert stored == hash_token(token) != token
    assert authenticate(session, token) == user


def test_an_unknown_token_authenticates_nobody(session: Session) -> None:
    create_user(session, name="Li", role=Role.ADMIN)
    assert authenticate(session, "not-a-token") is None


def test_users_are_bound_to_what_their_role_needs(session: Session) -> None:
    with pytest.raises(ValueError, match="--engineer"):
        create_user(session, name="Wang", role=Role.ENGINEER)
    with pytest.raises(ValueError, match="--office"):
        create_user(session, name="Zhao", role=Role.DISPATCHER)
    with pytest.raises(NotFoundError):
        create_user(session, name="Zhao", role=Role.DISPATCHER, offices=["XX"])
    with pytest.raises(NotFoundError):
        create_user(session, name="Wang", role=Role.ENGINEER, engineer_id="E99")


def test_a_dispatcher_plans_only_scopes_within_their_offices() -> None:
    dispatcher = User(1, "Zhao", Role.DISPATCHER, offices=frozenset({"SH", "HZ"}))
    require_scope(dispatcher, ("HZ", "SH"))
    for scope in (("BJ",), ("SH", "BJ"), ("ALL",)):
        with pytest.raises(ForbiddenError):
            require_scope(dispatcher, scope)
    require_scope(User(2, "Ops", Role.EMERGENCY), ("ALL",))


def test_an_engineer_reads_only_their_own_route() -> None:
    engineer = User(1, "Wang", Role.ENGINEER, engineer_id="E01")
    require_engineer(engineer, "E01", "SH")
    with pytest.raises(ForbiddenError):
        require_engineer(engineer, "E02", "SH")
    with pytest.raises(ForbiddenError):
        require_engineer(User(2, "Zhao", Role.DISPATCHER, offices=frozenset({"BJ"})), "E01", "SH")
