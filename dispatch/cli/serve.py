"""``dispatch serve``: run the API server (uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
) -> None:
    """Serve the HTTP API on DATABASE_URL (migrate it first: `dispatch db upgrade`)."""
    uvicorn.run("api.main:app_from_environment", factory=True, host=host, port=port)
