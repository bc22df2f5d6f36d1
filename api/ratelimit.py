"""Per-address and per-token rate limits: 429 with ``Retry-After`` before any work is done.

Token buckets, in the server's memory: each key may send ``burst`` requests at once and
then ``rate`` a second. Three buckets guard a request to ``/api/``:

- the client address (every request from it, with or without a token);
- the bearer token, keyed by its SHA-256 (the token itself is never kept);
- the address's failed authentications (401 answers), at a much lower rate, so that
  guessing tokens is slow even from one address that stays under the request limit.

A refusal costs no thread, no database connection and no token lookup. Health and
metrics endpoints are not limited (probes must never be refused).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem

MAX_KEYS = 100_000
"""Buckets kept per kind; the least recently used is forgotten beyond this (memory bound)."""


@dataclass(frozen=True, slots=True)
class Limit:
    rate: float
    """Requests a second, sustained."""
    burst: float
    """Requests at once after a quiet spell."""


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float


class TokenBuckets:
    """One bucket per key; ``take`` spends a token or says how long until there is one."""

    def __init__(self, limit: Limit, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def _refill(self, key: str) -> _Bucket:
        now = self._clock()
        bucket = self._buckets.pop(key, None) or _Bucket(self._limit.burst, now)
        bucket.tokens = min(
            self._limit.burst, bucket.tokens + (now - bucket.stamp) * self._limit.rate
        )
        bucket.stamp = now
        self._buckets[key] = bucket
        if len(self._buckets) > MAX_KEYS:
            self._buckets.popitem(last=False)
        return bucket

    def wait(self, key: str) -> float:
        """Seconds until ``key`` may send again (0: now), without spending anything."""
        bucket = self._refill(key)
        return 0.0 if bucket.tokens >= 1 else (1 - bucket.tokens) / self._limit.rate

    def take(self, key: str) -> float:
        """Spend a token if there is one (0.0), else the seconds until there is one."""
        delay = self.wait(key)
        if delay == 0.0:
            self._buckets[key].tokens -= 1
        return delay


class RateLimit:
    """ASGI middleware applying the three limits to requests under ``/api/``."""

    def __init__(
        self, app: ASGIApp, *, per_address: Limit, per_token: Limit, failed_auth: Limit
    ) -> None:
        self.app = app
        self._addresses = TokenBuckets(per_address)
        self._tokens = TokenBuckets(per_token)
        self._failures = TokenBuckets(failed_auth)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        address = scope["client"][0] if scope.get("client") else "unknown"
        token = _bearer_digest(scope)
        delay = self._failures.wait(address) or self._addresses.take(address)
        if not delay and token is not None:
            delay = self._tokens.take(token)
        if delay:
            await _too_many(delay)(scope, receive, send)
            return
        await self.app(scope, receive, self._counting_failures(address, send))

    def _counting_failures(self, address: str, send: Send) -> Send:
        async def counted(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                self._failures.take(address)
            await send(message)

        return counted


def _bearer_digest(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            return hashlib.sha256(value[7:].strip()).hexdigest()
    return None


def _too_many(delay: float) -> ASGIApp:
    seconds = max(1, math.ceil(delay))
    response = problem(429, f"too many requests: retry in {seconds} s")
    response.headers["Retry-After"] = str(seconds)
    return response
