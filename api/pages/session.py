"""The pages' login session: a signed, expiring, HttpOnly cookie, and CSRF checks.

The cookie holds the hash of the user's API token (never the token), a random CSRF
secret and, for an engineer, the route version they last saw. Each request
re-authenticates the hash, so revoking or rotating the token ends the session at once.

Cross-site requests are refused twice over: the cookie is ``SameSite=Strict`` (a
browser does not send it from another site), and every state-changing form carries the
session's CSRF token, compared in constant time, with the ``Origin`` checked when sent.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from fastapi import HTTPException, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from api.settings import ApiSettings
from dispatch.services.auth import authenticate_digest, hash_token
from dispatch.store.database import session_scope
from dispatch.store.users import User

COOKIE = "fsd_session"


@dataclass
class PageSession:
    digest: str
    csrf: str
    seen: dict[str, int] = field(default_factory=dict)
    """Engineer id -> the plan id of the route they last saw."""


def _signer(request: Request) -> URLSafeTimedSerializer:
    signer: URLSafeTimedSerializer = request.app.state.page_signer
    return signer


def make_signer(settings: ApiSettings) -> URLSafeTimedSerializer:
    secret = settings.session_secret or secrets.token_urlsafe(32)
    return URLSafeTimedSerializer(secret, salt="fsdispatch-page-session")


def read_session(request: Request) -> PageSession | None:
    raw = request.cookies.get(COOKIE)
    if raw is None:
        return None
    settings: ApiSettings = request.app.state.settings
    try:
        data: dict[str, Any] = _signer(request).loads(
            raw, max_age=int(settings.session_hours * 3600)
        )
    except BadSignature:
        return None
    return PageSession(str(data["d"]), str(data["c"]), dict(data.get("s", {})))


def write_session(request: Request, response: Response, page: PageSession) -> None:
    settings: ApiSettings = request.app.state.settings
    value = _signer(request).dumps({"d": page.digest, "c": page.csrf, "s": page.seen})
    response.set_cookie(
        COOKIE,
        value,
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def start_session(token: str) -> PageSession:
    return PageSession(hash_token(token), secrets.token_urlsafe(24))


def user_of(request: Request, page: PageSession) -> User | None:
    with session_scope(request.app.state.session_factory) as session:
        return authenticate_digest(session, page.digest)


@dataclass(frozen=True)
class SignedIn:
    user: User
    page: PageSession


class LoginRequiredError(Exception):
    """Raised by page dependencies; answered with a redirect to the login page."""


def signed_in(request: Request) -> SignedIn:
    """The page's user, or ``LoginRequiredError`` when there is no valid session."""
    page = read_session(request)
    user = user_of(request, page) if page else None
    if page is None or user is None:
        raise LoginRequiredError()
    return SignedIn(user, page)


def check_origin(request: Request) -> None:
    """403 when the browser says the form was posted from another origin."""
    origin = request.headers.get("origin")
    expected = f"{request.url.scheme}://{request.url.netloc}"
    if origin is not None and origin != expected:
        raise HTTPException(403, "cross-origin form posts are refused")


def check_csrf(request: Request, page: PageSession, token: str) -> None:
    check_origin(request)
    if not hmac.compare_digest(page.csrf.encode(), token.encode()):
        raise HTTPException(403, "the form's CSRF token does not match the session")
