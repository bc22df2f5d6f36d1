"""ETags and ``If-Match``: a record's version, quoted (``"3"``)."""

from __future__ import annotations

import re

from fastapi import Response
from fastapi.exceptions import RequestValidationError

IF_MATCH_PATTERN = r'^\s*(\*|(W/)?"?[0-9]{1,9}"?)\s*$'
"""``*`` or a version ETag (``"3"``, also ``W/"3"`` or bare ``3``): stated in the schema.
An absent header is ``*`` (the schema's default, not ``null``: a header has no null)."""
_TAG = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def expected_version(if_match: str | None) -> int | None:
    """The version an ``If-Match`` header demands (``None``: absent or ``*``).

    A malformed header is a 422 naming ``header.If-Match``.
    """
    if if_match is None or if_match.strip() == "*":
        return None
    found = _TAG.match(if_match)
    if found is None:
        raise invalid(("header", "If-Match"), 'expected an ETag such as "3" from a response')
    return int(found.group(1))


def invalid(location: tuple[str, ...], message: str) -> RequestValidationError:
    """A 422 for a rule the schema cannot express (limits from the server's settings)."""
    return RequestValidationError([{"loc": location, "msg": message, "type": "value_error"}])
