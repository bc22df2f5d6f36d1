"""The call register's pages: a busy country's calls are one page of the filter at a time."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.pages import calls
from dispatch.services.auth import create_user
from dispatch.store.users import Role
from tests.api.conftest import SHANGHAI, add_ticket


def _rows(html: str) -> list[int]:
    table = html[html.index('id="calls"') :]
    return [int(n) for n in re.findall(r"<tr><td>(\d+)</td>", table)]


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}"', html)
    return found[1].replace("&amp;", "&") if found else None


def test_the_register_pages_through_every_call_of_the_filter(
    client: TestClient, session: Session, organisation: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(calls, "REGISTER_PAGE", 2)
    start = datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)
    made = [add_ticket(session, called_at=start + timedelta(minutes=n)).id for n in range(5)]
    _, token = create_user(session, name="调度员", role=Role.DISPATCHER, offices=["SH"])
    session.commit()
    client.post("/login", data={"token": token})

    seen: list[int] = []
    url: str | None = "/board/calls?office=SH&status=awaiting_dispatch"
    pages = 0
    while url is not None:
        html = client.get(url).text
        assert "office=SH" in (_link(html, "next") or "office=SH"), "the filter is kept"
        seen += _rows(html)
        url, pages = _link(html, "next"), pages + 1
    assert (sorted(seen), pages) == (sorted(made), 3), "each call once, on three pages"
    assert "Calls 5–5" in html and _link(html, "prev") == (
        "/board/calls?office=SH&status=awaiting_dispatch&page=2"
    )
    assert _link(client.get("/board/calls?office=SH").text, "prev") is None
