"""``dispatch serve``: run the API server (uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from dispatch.services.logs import configure_json_logging


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
) -> None:
    """Serve the HTTP API on DATABASE_URL (migrate it first: `dispatch db upgrade`).

    Logs are JSON lines on standard error, each with its request's id.
    """
    configure_json_logging()
    uvicorn.run(
        "api.main:app_from_environment", factory=True, host=host, port=port, log_config=None
    )
