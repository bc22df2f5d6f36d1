"""Rendering pages: one Jinja2 environment with autoescaping, and the security headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from api.pages.session import SignedIn

HERE = Path(__file__).parent
STATIC = HERE / "static"

_templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:{tiles}; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
"""No inline script or style anywhere: customer text can never run as code. Images may
also come from the street-map tile server when ``BOARD_TILE_URL`` names one."""


def tile_origin(tile_url: str | None) -> str | None:
    """The origin a tile URL template loads from, as a CSP source (``{s}.`` → ``*.``)."""
    if tile_url is None:
        return None
    parts = urlsplit(tile_url)
    labels = parts.netloc.split(".")
    if "{" in labels[0]:
        labels[0] = "*"
    return f"{parts.scheme}://{'.'.join(labels)}"


def content_security_policy(tile_url: str | None = None) -> str:
    origin = tile_origin(tile_url)
    return CONTENT_SECURITY_POLICY.format(tiles=f" {origin}" if origin else "")


def security_headers(response: HTMLResponse, tile_url: str | None = None) -> None:
    response.headers["Content-Security-Policy"] = content_security_policy(tile_url)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"


def page(
    request: Request,
    template: str,
    who: SignedIn | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The rendered page, with the user and their CSRF token for its forms."""
    html = _templates.get_template(template).render(
        request=request,
        user=who.user if who else None,
        csrf=who.page.csrf if who else "",
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    security_headers(response, request.app.state.settings.board_tile_url)
    return response
