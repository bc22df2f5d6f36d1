"""``/login``, ``/logout`` and ``/``: a token entered once becomes a session cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.pages.render import page
from api.pages.session import (
    COOKIE,
    SignedIn,
    check_csrf,
    check_origin,
    signed_in,
    start_session,
    user_of,
    write_session,
)
from dispatch.store.users import Role

router = APIRouter(include_in_schema=False)
Who = Annotated[SignedIn, Depends(signed_in)]


def home_of(who: SignedIn) -> str:
    if who.user.role is Role.ENGINEER:
        return "/me"
    return "/board"


@router.get("/")
def home(who: Who) -> RedirectResponse:
    return RedirectResponse(home_of(who), status_code=303)


@router.get("/login")
def login_form(request: Request) -> HTMLResponse:
    return page(request, "login.html", None, error=None)


@router.post("/login")
def login(request: Request, token: Annotated[str, Form(max_length=200)]) -> Response:
    """Check the token once; the session keeps only its hash, signed and expiring."""
    check_origin(request)
    session = start_session(token.strip())
    user = user_of(request, session)
    if user is None:
        return page(request, "login.html", None, status_code=401, error="That token is not valid.")
    response = RedirectResponse(home_of(SignedIn(user, session)), status_code=303)
    write_session(request, response, session)
    return response


@router.post("/logout")
def logout(request: Request, who: Who, csrf: Annotated[str, Form()]) -> RedirectResponse:
    check_csrf(request, who.page, csrf)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
