"""The OpenAPI schema states the limits this server applies, so that what the schema
allows the server accepts: a request's ``seconds`` is capped at ``SOLVE_SECONDS_MAX``
(the models carry only the fixed bound ``MAX_SOLVE_SECONDS``)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from api.settings import ApiSettings

_SOLVE_REQUESTS = ("PlanRequest", "ReplanRequest")


def state_server_limits(app: FastAPI, settings: ApiSettings) -> None:
    """Make ``app.openapi()`` publish ``settings``' solve cap on every solve request."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            components = schema.get("components", {}).get("schemas", {})
            for name in _SOLVE_REQUESTS:
                if name in components:
                    _cap_seconds(components[name]["properties"]["seconds"], settings)
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]


def _cap_seconds(seconds: dict[str, Any], settings: ApiSettings) -> None:
    for option in seconds.get("anyOf", [seconds]):
        if option.get("type") == "integer":
            option["maximum"] = settings.solve_seconds_max
