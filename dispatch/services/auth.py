"""Users, bearer tokens and who may do what.

A token is ``secrets.token_urlsafe(32)`` (256 random bits), shown once when the user is
created or the token rotated; only its SHA-256 is stored. A token expires (90 days by
default) and can be revoked; either way it gets 401 like an unknown one.

A fast unsalted hash is enough for tokens of that entropy (nothing to brute-force), and
it lets a request find its user by an index lookup.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from dispatch.domain import TicketStatus
from dispatch.errors import DispatchError, InvalidInputError
from dispatch.store.offices import EngineerRepository
from dispatch.store.plans import ALL_OFFICES
from dispatch.store.users import Role, User, UserRepository

TOKEN_BYTES = 32
TOKEN_LIFETIME = timedelta(days=90)
"""How long a new token is honoured unless told otherwise (``--days``)."""


class ForbiddenError(DispatchError):
    """The caller is authenticated but may not do this."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    session: Session,
    *,
    name: str,
    role: Role,
    engineer_id: str | None = None,
    offices: Iterable[str] = (),
    valid_for: timedelta = TOKEN_LIFETIME,
    now: datetime | None = None,
) -> tuple[User, str]:
    """Store a user and return it with its new token (the only time the token is seen).

    The token is honoured for ``valid_for`` from ``now`` (default: the current time).

    An engineer is bound to an existing engineer id; a dispatcher to at least one office.
    """
    codes = sorted({code.strip().upper() for code in offices if code.strip()})
    if role is Role.ENGINEER:
        if engineer_id is None:
            raise InvalidInputError("an engineer user needs --engineer ID")
        EngineerRepository(session).get(engineer_id)
    elif engineer_id is not None:
        raise InvalidInputError(
            f"only an engineer user is bound to an engineer, not a {role.value}"
        )
    if role is Role.DISPATCHER and not codes:
        raise InvalidInputError("a dispatcher user needs at least one --office CODE")
    if role is not Role.DISPATCHER and codes:
        raise InvalidInputError(f"only a dispatcher user is bound to offices, not a {role.value}")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    user = UserRepository(session).add(
        name=name,
        role=role,
        token_hash=hash_token(token),
        token_expires_at=_expiry(valid_for, now),
        engineer_id=engineer_id,
        offices=codes,
    )
    return user, token


def _expiry(valid_for: timedelta, now: datetime | None) -> datetime:
    if valid_for <= timedelta(0):
        raise InvalidInputError(f"a token must be valid for some time, not {valid_for}")
    return (now or datetime.now(UTC)) + valid_for


def authenticate(session: Session, token: str, now: datetime | None = None) -> User | None:
    """The user holding ``token`` if it is neither expired nor revoked, else None.

    Hashes are compared in constant time.
    """
    return authenticate_digest(session, hash_token(token), now)


def authenticate_digest(session: Session, digest: str, now: datetime | None = None) -> User | None:
    """As ``authenticate``, from the token's hash: what a browser session keeps, so a
    revoked or expired token ends the session too and the token itself is never stored."""
    found = UserRepository(session).by_token_hash(digest)
    if found is None or not hmac.compare_digest(found.token_hash, digest):
        return None
    if found.revoked_at is not None or found.expires_at <= (now or datetime.now(UTC)):
        return None
    return found.user


def revoke_token(session: Session, user_id: int) -> User:
    """Refuse the user's token from now on; ``rotate_token`` gives them a new one."""
    users = UserRepository(session)
    users.revoke(user_id)
    return users.get(user_id)


def rotate_token(
    session: Session, user_id: int, *, valid_for: timedelta = TOKEN_LIFETIME
) -> tuple[User, str, datetime]:
    """Replace the user's token (the old one is refused at once): the user, the new token
    (the only time it is seen) and when it expires."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = _expiry(valid_for, None)
    user = UserRepository(session).replace_token(user_id, hash_token(token), expires_at)
    return user, token, expires_at


def require_role(user: User, *roles: Role) -> None:
    if user.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise ForbiddenError(f"a {user.role.value} may not do this (allowed: {allowed})")


def may_see_office(user: User, office_code: str) -> bool:
    """Admins and emergency teams see every office; a dispatcher only their own."""
    if user.role in (Role.ADMIN, Role.EMERGENCY):
        return True
    return user.role is Role.DISPATCHER and office_code in user.offices


def require_office(user: User, office_code: str) -> None:
    if not may_see_office(user, office_code):
        raise ForbiddenError(f"office {office_code} is not one of yours")


def require_scope(user: User, scope: Sequence[str]) -> None:
    """Every office of a plan scope must be the caller's (``ALL``: admin or emergency)."""
    for code in scope:
        if code == ALL_OFFICES and user.role not in (Role.ADMIN, Role.EMERGENCY):
            raise ForbiddenError("only admin and emergency users may plan every office")
        if code != ALL_OFFICES:
            require_office(user, code)


def require_engineer(user: User, engineer_id: str, office_code: str) -> None:
    """An engineer sees only themself; others need the engineer's office."""
    if user.role is Role.ENGINEER:
        if user.engineer_id != engineer_id:
            raise ForbiddenError("an engineer may only read their own route and reports")
        return
    require_office(user, office_code)


ENGINEER_REPORTS: frozenset[TicketStatus] = frozenset(
    {
        TicketStatus.EN_ROUTE,
        TicketStatus.ON_SITE,
        TicketStatus.FIXED_ON_SITE,
        TicketStatus.CARRIED_BACK,
    }
)
"""What an engineer reports from the road; closing and cancelling are the office's."""


def visible_offices(user: User, requested: Collection[str] | None) -> Collection[str] | None:
    """The offices a ticket query may cover (None: all); 403 if one is not the caller's."""
    require_role(user, Role.DISPATCHER, Role.EMERGENCY, Role.ADMIN)
    for code in requested or ():
        require_office(user, code)
    if requested:
        return requested
    return sorted(user.offices) if user.role is Role.DISPATCHER else None


def require_ticket_access(user: User, office_code: str, routed_engineer: str | None) -> None:
    """An engineer reaches the tickets of their published route; others their offices."""
    if user.role is Role.ENGINEER:
        if routed_engineer is None or routed_engineer != user.engineer_id:
            raise ForbiddenError("this ticket is not on your published route")
        return
    require_office(user, office_code)


def require_status_update(
    user: User, office_code: str, routed_engineer: str | None, target: TicketStatus
) -> None:
    require_ticket_access(user, office_code, routed_engineer)
    if user.role is Role.ENGINEER and target not in ENGINEER_REPORTS:
        allowed = ", ".join(sorted(ENGINEER_REPORTS))
        raise ForbiddenError(f"an engineer reports only {allowed}; {target.value} is the office's")
