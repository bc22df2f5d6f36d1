"""Answers rendered to JSON once, in the endpoint's thread.

An endpoint that returns a pydantic model has FastAPI dump it to Python objects,
validate those against the response model again (in another trip through the
worker-thread pool for a sync endpoint), serialize them and encode the result with
``json``. The endpoints polled most (``docs/api.md``, "Concurrency") build their model
once and have pydantic write the JSON bytes directly; the operation still declares its
``response_model`` for the OpenAPI document. The bytes are the ones FastAPI would send.
"""

from __future__ import annotations

from typing import TypeVar

from fastapi import Response
from pydantic import BaseModel, TypeAdapter

JSON = "application/json"
T = TypeVar("T")


def rendered(model: BaseModel) -> Response:
    """``model`` as a JSON response."""
    return Response(model.model_dump_json(), media_type=JSON)


def rendered_as(adapter: TypeAdapter[T], value: T) -> Response:
    """``value`` (e.g. a list of models) as a JSON response, through ``adapter``."""
    return Response(adapter.dump_json(value), media_type=JSON)
