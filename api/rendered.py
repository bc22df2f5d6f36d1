"""Answers rendered to JSON once, in the endpoint's thread.

An endpoint that returns a pydantic model has FastAPI dump it to Python objects,
validate those against the response model again (in another trip through the
worker-thread pool for a sync endpoint), serialize them and encode the result with
``json``. The endpoints polled most (``docs/api.md``, "Concurrency") build their model
once and have pydantic write the JSON bytes directly; the operation still declares its
``response_model`` for the OpenAPI document. The bytes are the ones FastAPI would send.

``rendered`` tags the answer with an ETag of its bytes, so a phone polling its route
can send ``If-None-Match`` and get a bodiless 304 while nothing changed. The tag is
computed from the answer just rendered from the database, never remembered: it cannot
go stale, whoever changed the data (another server process, the command line).
"""

from __future__ import annotations

import hashlib
from typing import TypeVar

from fastapi import Response
from pydantic import BaseModel, TypeAdapter

JSON = "application/json"
T = TypeVar("T")


def rendered(model: BaseModel, if_none_match: str | None = None) -> Response:
    """``model`` as a JSON response with an ETag; 304 if ``if_none_match`` names it."""
    body = model.__pydantic_serializer__.to_json(model)
    tag = f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'
    if if_none_match is not None and _names(if_none_match, tag):
        return Response(status_code=304, headers={"ETag": tag})
    return Response(body, media_type=JSON, headers={"ETag": tag})


def _names(if_none_match: str, tag: str) -> bool:
    """Whether the header's list (weak comparison, RFC 9110 13.1.2) holds ``tag``."""
    listed = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in listed or tag in listed


def rendered_as(adapter: TypeAdapter[T], value: T) -> Response:
    """``value`` (e.g. a list of models) as a JSON response, through ``adapter``."""
    return Response(adapter.dump_json(value), media_type=JSON)
