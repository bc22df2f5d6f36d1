"""Browser tests of the pages: one real server and one Chromium per module.

The world is the ``normal`` demo day plus a customer whose name is an XSS probe, planned
(1 s) and published once per module; users are made per role. The server's
``BOARD_TILE_URL`` points at a local stand-in tile server (one grey pixel per tile), so
the map's optional street layer and its CSP are exercised without the internet. Chromium is Debian's
(``/usr/bin/chromium``, installed by ``.ci/run``); Playwright's own download is not used.
A failing test leaves a screenshot in ``test-screenshots/``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dispatch.domain import GeoPoint, TicketDraft
from dispatch.services.auth import create_user
from dispatch.services.intake import register_ticket
from dispatch.services.plan_document import PlanDocument, load_plan_document
from dispatch.services.planning import plan_day
from dispatch.services.publishing import publish_plan
from dispatch.services.seeding import seed
from dispatch.store.database import session_factory
from dispatch.store.users import Role
from solver import SolveParams
from tests.api.live_server import live_server
from tests.conftest import _delete_all_rows

DAY = date(2026, 11, 23)
SHANGHAI = ZoneInfo("Asia/Shanghai")
XSS = "<img src=x onerror=alert(1)>"
CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "test-screenshots"
PHONE = {"width": 390, "height": 844}
SERVER_ENV = {
    "SOLVE_SECONDS_DEFAULT": "1",
    "EVENTS_POLL_SECONDS": "0.1",
    "RATE_LIMIT_PER_ADDRESS": "100000",
    "RATE_LIMIT_PER_TOKEN": "100000",
    "RATE_LIMIT_FAILED_AUTH": "100000",
    "SESSION_SECRET": "browser-tests-only",
}


GREY_PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b55"
    "0000000a49444154789c636800000082008177cd72b60000000049454e44ae426082"
)


class _TileHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        tiles: TileServer = self.server.tiles  # type: ignore[attr-defined]
        tiles.requested.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(GREY_PIXEL)

    def log_message(self, *args: object) -> None:
        return


@dataclass
class TileServer:
    origin: str
    requested: list[str]
    """The paths the browser asked for."""


@contextmanager
def tile_server() -> Iterator[TileServer]:
    """A street-map tile server on a free loopback port, answering every tile."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TileHandler)
    tiles = TileServer(f"http://127.0.0.1:{server.server_port}", [])
    server.tiles = tiles  # type: ignore[attr-defined]
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield tiles
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class World:
    base: str
    published: PlanDocument
    """The plan published when the module starts."""
    xss_ticket: int
    factory: Callable[[], Session]
    tiles: TileServer

    def token(
        self, role: Role, *, engineer_id: str | None = None, offices: tuple[str, ...] = ()
    ) -> str:
        with self.factory() as session:
            _, token = create_user(
                session,
                name=f"{role.value} 用户",
                role=role,
                engineer_id=engineer_id,
                offices=offices,
            )
            session.commit()
        return token

    def engineer_of(self, ticket_id: int) -> str:
        route, _ = self.published.stops()[ticket_id]
        return route.engineer_id


def _seed(session: Session) -> tuple[PlanDocument, int]:
    seed(session, scenario="normal", day=DAY, seed=7)
    probe = register_ticket(
        session,
        TicketDraft(
            office_code="SH",
            customer=XSS,
            site=GeoPoint(31.2304, 121.4737),
            called_at=datetime(2026, 11, 23, 8, 30, tzinfo=SHANGHAI),
            product_line="video-surveillance",
            fault="<script>alert(2)</script>",
            address="上海市浦东新区世纪大道1号",
            phone="021-00000000",
            onsite_minutes=60,
        ),
    )
    plan = plan_day(session, scope="ALL", day=DAY, params=SolveParams(time_limit_s=1.0, seed=1))
    publish_plan(session, plan.id)
    session.commit()
    return load_plan_document(session, plan), probe.id


@pytest.fixture(scope="module")
def world(database_url: str, engine: Engine) -> Iterator[World]:
    factory = session_factory(engine)
    with factory() as session:
        document, probe = _seed(session)
    try:
        with tile_server() as tiles:
            env = SERVER_ENV | {"BOARD_TILE_URL": tiles.origin + "/{z}/{x}/{y}.png"}
            with live_server(database_url, env) as base:
                yield World(base, document, probe, factory, tiles)
    finally:
        _delete_all_rows(engine)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def contexts(browser: Browser, request: pytest.FixtureRequest) -> Iterator[list[BrowserContext]]:
    """Browser contexts (each its own cookie jar) opened by the test; screenshots on failure."""
    opened: list[BrowserContext] = []
    yield opened
    failed = getattr(request.node, "report_call", None)
    for n, context in enumerate(opened):
        if failed is not None and failed.failed:
            SHOTS.mkdir(exist_ok=True)
            for m, shown in enumerate(context.pages):
                shown.screenshot(path=SHOTS / f"{request.node.name}-{n}-{m}.png", full_page=True)
        context.close()


LogIn = Callable[..., Page]


@pytest.fixture
def log_in(world: World, browser: Browser, contexts: list[BrowserContext]) -> LogIn:
    """``log_in(token, phone=False, base=world.base)`` -> a page signed in through the
    login form (of the server at ``base``)."""

    def open_as(token: str, *, phone: bool = False, base: str = world.base) -> Page:
        context = browser.new_context(viewport=PHONE if phone else {"width": 1400, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{base}/login")
        page.fill("#token", token)
        page.click("#login")
        return page

    return open_as
