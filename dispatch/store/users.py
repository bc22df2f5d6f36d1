"""API users: a role, the engineer or offices it is bound to, and its token's hash."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.errors import NotFoundError
from dispatch.store._common import Clock, flush_or_conflict, utc_now
from dispatch.store.models import IdempotencyKeyRow, UserRow
from dispatch.store.offices import require_office


class Role(StrEnum):
    """What a user may do (issue 4, Auth)."""

    DISPATCHER = "dispatcher"
    ENGINEER = "engineer"
    EMERGENCY = "emergency"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class User:
    """An authenticated caller of the API."""

    id: int
    name: str
    role: Role
    engineer_id: str | None = None
    offices: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Credential:
    """A user's bearer token as stored: its hash and until when it is honoured."""

    user: User
    token_hash: str
    expires_at: datetime
    revoked_at: datetime | None


class UserRepository:
    """Users and the hashes of their bearer tokens."""

    def __init__(self, session: Session, *, clock: Clock = utc_now) -> None:
        self._session = session
        self._clock = clock

    def add(
        self,
        *,
        name: str,
        role: Role,
        token_hash: str,
        token_expires_at: datetime,
        engineer_id: str | None = None,
        offices: Iterable[str] = (),
    ) -> User:
        """Store a user; an engineer must exist and every office code must be known."""
        codes = sorted(set(offices))
        for code in codes:
            require_office(self._session, code)
        row = UserRow(
            name=name,
            role=role.value,
            engineer_id=engineer_id,
            offices=codes,
            token_hash=token_hash,
            created_at=self._clock(),
            token_expires_at=token_expires_at,
            revoked_at=None,
        )
        self._session.add(row)
        flush_or_conflict(self._session, f"user {name!r}")
        return user_from_row(row)

    def get(self, user_id: int) -> User:
        return user_from_row(self._row(user_id))

    def by_token_hash(self, token_hash: str) -> Credential | None:
        """The credential whose token has this hash, if any."""
        query = select(UserRow).where(UserRow.token_hash == token_hash)
        row = self._session.scalars(query).first()
        if row is None:
            return None
        return Credential(user_from_row(row), row.token_hash, row.token_expires_at, row.revoked_at)

    def revoke(self, user_id: int) -> None:
        """Refuse the user's token from now on (the user stays, for the records)."""
        row = self._row(user_id)
        if row.revoked_at is None:
            row.revoked_at = self._clock()
        self._session.flush()

    def replace_token(self, user_id: int, token_hash: str, expires_at: datetime) -> User:
        """Give the user a new token (the old one is refused from now on); lifts a revocation."""
        row = self._row(user_id)
        row.token_hash = token_hash
        row.token_expires_at = expires_at
        row.revoked_at = None
        flush_or_conflict(self._session, f"user {user_id}")
        return user_from_row(row)

    def _row(self, user_id: int) -> UserRow:
        row = self._session.get(UserRow, user_id)
        if row is None:
            raise NotFoundError("user", user_id)
        return row


def user_from_row(row: UserRow) -> User:
    return User(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        engineer_id=row.engineer_id,
        offices=frozenset(row.offices),
    )


class IdempotencyKeys:
    """``Idempotency-Key`` values a user sent with ticket intake, and what they created."""

    def __init__(self, session: Session, *, clock: Clock = utc_now) -> None:
        self._session = session
        self._clock = clock

    def find(self, user_id: int, key: str) -> tuple[str, int] | None:
        """The (request hash, ticket id) stored for the key, if any."""
        row = self._session.get(IdempotencyKeyRow, (user_id, key))
        return (row.request_hash, row.ticket_id) if row is not None else None

    def remember(self, user_id: int, key: str, *, request_hash: str, ticket_id: int) -> None:
        """Store the key; a concurrent request with the same key gets ``ConflictError``."""
        row = IdempotencyKeyRow(
            user_id=user_id,
            key=key,
            request_hash=request_hash,
            ticket_id=ticket_id,
            created_at=self._clock(),
        )
        self._session.add(row)
        flush_or_conflict(self._session, f"idempotency key {key!r}")
