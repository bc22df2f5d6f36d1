"""The browser pages at ``/``: login, the dispatcher's board, the engineer's day page.

Server-rendered (Jinja2) from the same services as the API; see ``docs/board.md``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from api.pages import board, calls, engineer, login, options, replan
from api.pages.render import STATIC
from api.pages.session import LoginRequiredError, make_signer
from api.settings import ApiSettings


async def _to_login(request: Request, exc: Exception) -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


def install(app: FastAPI, settings: ApiSettings) -> None:
    """Mount the pages and their vendored static files on ``app``."""
    app.state.page_signer = make_signer(settings)
    app.add_exception_handler(LoginRequiredError, _to_login)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (login, board, calls, options, replan, engineer):
        app.include_router(module.router)
