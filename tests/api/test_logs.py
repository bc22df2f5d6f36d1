"""Structured logs: JSON lines carrying the request id (API) or job id and attempt."""

from __future__ import annotations

import json
import logging
import sys

from fastapi.testclient import TestClient

from dispatch.services.logs import JsonFormatter, job_context, log_context


def _line(logger: logging.Logger, message: str, *, exc: bool = False) -> dict[str, object]:
    record = logger.makeRecord(logger.name, logging.ERROR, __file__, 1, message, (), None)
    if exc:
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            record.exc_info = sys.exc_info()
    parsed: dict[str, object] = json.loads(JsonFormatter().format(record))
    return parsed


def test_a_line_carries_its_context_and_a_traceback() -> None:
    logger = logging.getLogger("tests.logs")
    with job_context(12, 2):
        line = _line(logger, "solve failed", exc=True)
    assert (line["job_id"], line["attempt"], line["message"]) == (12, 2, "solve failed")
    assert "RuntimeError: boom" in str(line["traceback"])
    with log_context(request_id="r-1"):
        assert _line(logger, "x")["request_id"] == "r-1"
    assert "request_id" not in _line(logger, "outside")


def test_every_response_carries_a_request_id_and_keeps_a_sane_one_given(
    client: TestClient,
) -> None:
    given = client.get("/healthz", headers={"X-Request-ID": "lb-42.a"})
    assert given.headers["X-Request-ID"] == "lb-42.a"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id\n{}"})
    assert made.headers["X-Request-ID"] not in ("", "bad id\n{}")
    other = client.get("/healthz")
    assert other.headers["X-Request-ID"] != made.headers["X-Request-ID"]
