"""``/healthz`` is answered by the outermost layers alone (``api/liveness.py``)."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_healthz_answers_without_the_router(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "probe-1"})
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert response.headers["x-request-id"] == "probe-1"
    metrics = client.get("/metrics").text
    assert 'route="/healthz"' not in metrics, "a probe passes no metrics layer"


def test_head_has_no_body_and_other_methods_reach_the_router(client: TestClient) -> None:
    head = client.head("/healthz")
    assert head.status_code == 200 and head.content == b""
    assert client.post("/healthz").status_code == 405
