"""``dispatch serve``: run the API server (uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
) -> None:
    """Serve the HTTP API on DATABASE_URL (migrate it first: `dispatch db upgrade`).

    Connection limits come from the environment: HEADER_TIMEOUT_SECONDS,
    KEEP_ALIVE_SECONDS, MAX_CONNECTIONS (see docs/api.md).
    """
    from api.server import run  # the web layer, imported only by the command that needs it

    run(host, port)
