"""The pages' session and its defences, through the app (the browser suite drives the rest)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.pages.render import content_security_policy
from dispatch.services.auth import create_user, revoke_token
from dispatch.store.jobs import JobRepository
from dispatch.store.users import Role


def _log_in(client: TestClient, session: Session, role: Role = Role.DISPATCHER) -> tuple[int, str]:
    offices = ["SH"] if role is Role.DISPATCHER else []
    user, token = create_user(session, name="调度员", role=role, offices=offices)
    session.commit()
    response = client.post("/login", data={"token": token}, follow_redirects=False)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and token not in cookie
    board = client.get("/board")
    found = re.search(r'name="csrf" value="([^"]+)"', board.text)
    assert found is not None
    return user.id, found[1]


def test_pages_need_a_session(client: TestClient, organisation: None) -> None:
    response = client.get("/board", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login")


def test_a_form_without_the_csrf_token_changes_nothing(
    client: TestClient, session: Session, organisation: None
) -> None:
    _log_in(client, session)
    form = {"scope": "SH", "date": "2026-11-23", "seconds": "1"}
    assert client.post("/board/plan", data=form | {"csrf": "forged"}).status_code == 403
    assert client.post("/board/plan", data=form).status_code == 422


def test_a_post_from_another_origin_is_refused(
    client: TestClient, session: Session, organisation: None
) -> None:
    _, csrf = _log_in(client, session)
    response = client.post(
        "/logout", data={"csrf": csrf}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert client.get("/board").status_code == 200, "still signed in"


def test_a_tampered_cookie_is_no_session(
    client: TestClient, session: Session, organisation: None
) -> None:
    _log_in(client, session)
    value = client.cookies["fsd_session"]
    changed = "A" if value[-2] != "A" else "B"  # never the character it replaces
    client.cookies.set("fsd_session", value[:-2] + changed + value[-1])
    assert client.get("/board", follow_redirects=False).status_code == 303


def test_revoking_the_token_ends_the_session(
    client: TestClient, session: Session, organisation: None
) -> None:
    user_id, _ = _log_in(client, session)
    revoke_token(session, user_id)
    session.commit()
    assert client.get("/board", follow_redirects=False).headers["location"] == "/login"


def test_every_page_sends_the_csp(client: TestClient, organisation: None) -> None:
    policy = client.get("/login").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_concurrent_board_requests_of_one_session(
    client: TestClient, session: Session, organisation: None
) -> None:
    _log_in(client, session)
    with ThreadPoolExecutor(8) as pool:
        codes = list(
            pool.map(lambda _: client.get("/board?date=2026-11-23").status_code, range(16))
        )
    assert codes == [200] * 16


def test_bad_form_input_is_422_not_500(
    client: TestClient, session: Session, organisation: None
) -> None:
    _, csrf = _log_in(client, session, Role.EMERGENCY)
    form = {"csrf": csrf, "scope": "SH", "date": "2026-11-23", "seconds": "1"}
    assert client.post("/board/plan", data=form | {"as_of": "2026-11-23T11:00"}).status_code == 422
    assert client.post("/board/plan", data=form | {"date": "23/11/2026"}).status_code == 422
    assert client.post("/board/plan", data=form | {"scope": "NOWHERE"}).status_code in (404, 422)
    assert client.get("/board/plans/999999").status_code == 404


def test_a_failed_solve_shows_its_reason_and_its_stream_ends(
    client: TestClient, session: Session, organisation: None
) -> None:
    _log_in(client, session)
    jobs = JobRepository(session)
    job = jobs.add(
        kind="plan", scope="SH", plan_date=date(2026, 11, 23), seconds=1, requested_by=None
    )
    jobs.claim(job.id, worker="test")
    jobs.fail(job.id, "the worker process died <b>hard</b>")
    session.commit()
    shown = client.get(f"/board/jobs/{job.id}")
    assert "the worker process died &lt;b&gt;hard&lt;/b&gt;" in shown.text
    events = client.get(f"/board/jobs/{job.id}/events")
    assert events.text.startswith("event: done") and '"status":"failed"' in events.text


def test_the_csp_allows_a_tile_servers_images_and_nothing_else_of_it() -> None:
    assert "img-src 'self' data:;" in content_security_policy(None)
    policy = content_security_policy("https://{s}.tile.example.org:8443/{z}/{x}/{y}.png")
    assert "img-src 'self' data: https://*.tile.example.org:8443;" in policy
    assert policy.count("example.org") == 1


def test_without_a_tile_url_the_map_is_offline_only(
    client: TestClient, session: Session, organisation: None
) -> None:
    _log_in(client, session)
    board = client.get("/board")
    assert "data-tiles" not in board.text
    assert "img-src 'self' data:;" in board.headers["content-security-policy"]
