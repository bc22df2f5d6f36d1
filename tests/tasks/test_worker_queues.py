"""What ``dispatch worker`` refuses before it starts (no broker needed)."""

from __future__ import annotations

import pytest

from dispatch.errors import InvalidInputError
from dispatch.settings import Settings
from dispatch.tasks.worker import start_worker


def test_a_worker_may_not_consume_parts_and_jobs_together() -> None:
    with pytest.raises(InvalidInputError, match="parts worker consumes only"):
        start_worker(Settings(), queues=["plans", "parts"], concurrency=2)


def test_a_worker_refuses_an_unknown_queue() -> None:
    with pytest.raises(InvalidInputError, match="unknown queue"):
        start_worker(Settings(), queues=["later"], concurrency=1)
