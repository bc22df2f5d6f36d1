"""``dispatch serve``: run the API server (uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer

from dispatch.services.logs import configure_json_logging


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
) -> None:
    """Serve the HTTP API on DATABASE_URL (migrate it first: `dispatch db upgrade`).

    Connection limits come from the environment: HEADER_TIMEOUT_SECONDS,
    KEEP_ALIVE_SECONDS, MAX_CONNECTIONS (see docs/api.md).
    Logs are JSON lines on standard error, each with its request's id.
    """
    from api.server import run  # the web layer, imported only by the command that needs it

    configure_json_logging()
    run(host, port)
