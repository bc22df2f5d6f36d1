"""The event-loop watch (``api/loop_watch.py``) and the server's frozen start-up heap."""

from __future__ import annotations

import asyncio
import gc

import pytest
from fastapi.testclient import TestClient

import api.main
from api.loop_watch import LoopWatch, stall_causes
from api.metrics import Metrics


def _sample(metrics: Metrics, name: str, **labels: str) -> float:
    value = metrics.registry.get_sample_value(name, labels)
    return value or 0.0


def test_a_late_tick_is_split_into_running_waiting_and_blocked() -> None:
    causes = stall_causes(0.2, before=(1.0, 5.0), after=(1.03, 5.05))
    assert causes == pytest.approx({"running": 0.03, "runnable": 0.05, "blocked": 0.12})


def test_the_watch_times_ticks_and_collections_while_it_runs() -> None:
    metrics = Metrics("/api/v1")

    async def watched() -> None:
        watch = LoopWatch(metrics)
        watch.start()
        await asyncio.sleep(0.1)  # several 20 ms ticks
        gc.collect()
        await watch.stop()
        gc.collect()  # after stop: not counted

    asyncio.run(watched())
    assert _sample(metrics, "event_loop_lag_seconds_count") >= 1
    assert _sample(metrics, "gc_pause_seconds_count", generation="2") == 1, "one, not two"


def test_metrics_expose_the_loop_lag(client: TestClient) -> None:
    text = client.get("/metrics").text
    assert "event_loop_lag_seconds_bucket" in text
    assert "event_loop_stall_seconds" in text and "gc_pause_seconds" in text


def test_the_servers_app_freezes_its_start_up_heap(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    frozen: list[bool] = []
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setattr(api.main.gc, "freeze", lambda: frozen.append(True))
    app = api.main.app_from_environment()
    assert frozen == [True]
    assert app.openapi_schema is not None, "built before the freeze, so frozen with it"
