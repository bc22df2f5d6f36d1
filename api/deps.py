"""Request dependencies: settings, a database session per request, the caller, the runner."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractContextManager
from typing import Annotated

import anyio
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from api.metrics import Metrics
from api.settings import ApiSettings
from dispatch.services.auth import authenticate
from dispatch.services.jobs import JobRunner
from dispatch.store.database import session_scope
from dispatch.store.users import User

_bearer = HTTPBearer(auto_error=False, description="A token from `dispatch users add`.")


def get_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


async def _database_turn(request: Request) -> AsyncIterator[None]:
    """Wait, on the event loop, for one of the ``DB_CONNECTIONS`` turns at the database.

    Why: FastAPI runs a sync endpoint, its sync dependencies and the validation of its
    response in separate hops through the worker-thread pool, and closes a ``yield``
    session only after the last of them. A request holding a pooled connection therefore
    waits for a free thread, while the threads may all be taken by requests waiting for
    a connection: the pool-and-threads deadlock that stopped the server under ~60
    concurrent requests. Taking a turn first (one per request, shared by the token
    lookup and the request's session, released after the session is closed) bounds
    the requests holding connections by the pool's size, so no thread ever blocks
    waiting for a connection and every request holding one progresses.
    """
    turns: anyio.Semaphore = request.app.state.database_turns
    async with turns:
        yield


DatabaseTurn = Annotated[None, Depends(_database_turn, scope="function")]


def get_session(request: Request, _turn: DatabaseTurn) -> Iterator[Session]:
    """One unit of work per request: committed before the response is sent, or rolled back.

    Used with ``scope="function"`` so the commit happens before the response goes out and
    a failed commit becomes an error response, never a false success.
    """
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class UnitOfWork:
    """The request's session, opened and closed in the thread that uses it.

    ``SessionDep`` costs a request two extra trips through the worker-thread pool (one to
    open the session, one to commit and close it) besides the endpoint's own. On the
    endpoints phones and boards poll (``docs/api.md``, "Concurrency") the endpoint opens
    its unit of work itself, inside its one thread, within the request's database turn.
    """

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory

    def __call__(self) -> AbstractContextManager[Session]:
        """Commit if the block succeeds, roll back if it raises; close either way."""
        return session_scope(self._factory)


async def get_unit_of_work(request: Request, _turn: DatabaseTurn) -> UnitOfWork:
    return UnitOfWork(request.app.state.session_factory)


def get_runner(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.runner
    return runner


def get_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
UnitOfWorkDep = Annotated[UnitOfWork, Depends(get_unit_of_work)]
RunnerDep = Annotated[JobRunner, Depends(get_runner)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]


def current_user(
    request: Request,
    _turn: DatabaseTurn,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The caller, from ``Authorization: Bearer <token>``; 401 without a valid token.

    The token is looked up in a short session of its own, opened and closed in this one
    worker thread (within the request's database turn), so no connection stays "idle in
    transaction" while the request waits for the thread that runs its endpoint.
    """
    user = None
    if credentials is not None:
        with session_scope(request.app.state.session_factory) as session:
            user = authenticate(session, credentials.credentials)
    if user is None:
        raise HTTPException(
            401, "a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"}
        )
    return user


UserDep = Annotated[User, Depends(current_user)]
