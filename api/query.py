"""Unknown query parameters are refused (422), as unknown body fields are: ``?ofice=SH``
must not silently list every office's tickets. What is known is what the operation's
OpenAPI entry declares, so the rule and the schema cannot drift apart.

A router-level dependency that needs the caller: a request without a valid token gets
its 401 before anything is said about its parameters.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import Depends, Request

from api.conditional import invalid
from api.deps import UserDep


def _declared(request: Request) -> frozenset[str] | None:
    """The query parameters the operation answering ``request`` declares."""
    paths: dict[str, dict[str, Any]] = request.app.openapi()["paths"]
    method = request.method.lower()
    for template, operations in paths.items():
        if method in operations and re.fullmatch(
            re.sub(r"\{[^}/]+\}", "[^/]+", template), request.url.path
        ):
            parameters = operations[method].get("parameters", [])
            return frozenset(p["name"] for p in parameters if p.get("in") == "query")
    return None


def _declared_cached(request: Request) -> frozenset[str] | None:
    """``_declared``, once per route and method (the schema does not change). Routes are
    not hashable: the entry keeps its route, so the route's ``id`` is never reused."""
    cache: dict[tuple[int, str], tuple[object, frozenset[str] | None]]
    cache = request.app.state.__dict__.setdefault("declared_query", {})
    route = request.scope.get("route")
    key = (id(route), request.method)
    if key not in cache:
        cache[key] = (route, _declared(request))
    return cache[key][1]


async def _reject_unknown_query(request: Request, _caller: UserDep) -> None:
    """Async: a check without I/O runs on the event loop, not a trip through the threads."""
    declared = _declared_cached(request)
    if declared is None:
        return
    unknown = sorted(set(request.query_params) - declared)
    if unknown:
        raise invalid(("query", unknown[0]), "unknown query parameter")


KnownQueryOnly = Depends(_reject_unknown_query)
"""For ``APIRouter(dependencies=[KnownQueryOnly])``."""
