"""The dispatcher's and emergency team's board in a real browser against a real server."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from dispatch.services import directory
from dispatch.services.planning import plan_day
from dispatch.services.publishing import publish_plan
from dispatch.store.users import Role
from solver import SolveParams
from tests.pages.conftest import DAY, XSS, LogIn, World


def test_each_role_lands_on_its_own_page(world: World, log_in: LogIn) -> None:
    dispatcher = log_in(world.token(Role.DISPATCHER, offices=("SH",)))
    expect(dispatcher).to_have_url(re.compile(r"/board$"))
    expect(dispatcher.locator("#scope option")).to_have_count(1)
    emergency = log_in(world.token(Role.EMERGENCY))
    expect(emergency.locator("#replan")).to_be_visible()
    expect(emergency.locator("#scope option[value^='region:']")).to_have_count(7)
    engineer = log_in(world.token(Role.ENGINEER, engineer_id="E01"), phone=True)
    expect(engineer).to_have_url(re.compile(r"/engineers/E01/day$"))
    stranger = log_in("not-a-token")
    expect(stranger.get_by_role("alert")).to_have_text("That token is not valid.")


def test_the_session_cookie_is_httponly_strict_and_holds_no_token(
    world: World, log_in: LogIn
) -> None:
    token = world.token(Role.DISPATCHER, offices=("SH",))
    page = log_in(token)
    (cookie,) = page.context.cookies()
    assert (cookie["httpOnly"], cookie["sameSite"]) == (True, "Strict")
    assert token not in cookie["value"] and token not in page.content()
    assert page.evaluate("document.cookie") == ""


def test_dispatcher_plans_watches_progress_compares_and_publishes(
    world: World, log_in: LogIn
) -> None:
    page = log_in(world.token(Role.DISPATCHER, offices=("SH", "HZ")))
    page.goto(f"{world.base}/board?scope=SH&date={DAY}")
    seen: list[str] = []
    page.on("framenavigated", lambda frame: seen.append(frame.url))
    page.fill("input[name=seconds] >> nth=0", "1")
    page.click("#plan")
    expect(page.locator("#publish")).to_be_visible(timeout=30_000)
    assert any("/board/jobs/" in url for url in seen), "the progress page was shown"
    expect(page.locator("#figures")).to_contain_text("on time")
    expect(page.locator("#moved h2")).to_contain_text("Tickets that move")
    page.click("#publish")
    expect(page).to_have_url(re.compile(r"/board\?scope=SH"))
    expect(page.locator(".kpis h2")).to_contain_text("(published)")


def test_a_stale_publish_shows_the_conflict(world: World, log_in: LogIn) -> None:
    with world.factory() as session:
        older = plan_day(session, scope="BJ", day=DAY, params=SolveParams(time_limit_s=1.0))
        session.commit()
    page = log_in(world.token(Role.DISPATCHER, offices=("BJ",)))
    page.goto(f"{world.base}/board/plans/{older.id}")
    with world.factory() as session:
        newer = plan_day(session, scope="BJ", day=DAY, params=SolveParams(time_limit_s=1.0))
        publish_plan(session, newer.id)
        session.commit()
    page.click("#publish")
    expect(page.locator("#conflict")).to_contain_text(f"published version {newer.version}")
    expect(page.locator("#publish")).to_be_visible()


def test_emergency_registers_the_urgent_call_and_replans_in_one_step(
    world: World, log_in: LogIn
) -> None:
    page = log_in(world.token(Role.EMERGENCY))
    page.goto(f"{world.base}/board?scope=SH&date={DAY}")
    page.click("#replan-with-call")
    page.select_option("#f-office", "SH")
    _fill(
        page,
        as_of=f"{DAY}T11:00",
        seconds="1",
        latitude="31.24",
        longitude="121.48",
        called_at=f"{DAY}T10:45+08:00",
        product_line="video-surveillance",
        fault="全线黑屏",
    )
    page.click("#replan-submit")
    expect(page.locator("#e-as_of")).to_contain_text("timezone")
    expect(page.locator("#e-customer")).to_be_visible()
    page.fill("#f-as_of", f"{DAY}T11:00+08:00")
    page.fill("#f-customer", "上海地铁控制中心")
    page.click("#replan-submit")
    expect(page.locator("#next-stops")).to_be_visible(timeout=30_000)
    expect(page.locator("h1")).to_contain_text("SH")
    expect(page.locator("#moved")).to_contain_text("上海地铁控制中心")


def test_engineer_cookie_opens_neither_the_board_nor_another_route(
    world: World, log_in: LogIn
) -> None:
    page = log_in(world.token(Role.ENGINEER, engineer_id="E01"), phone=True)
    assert page.goto(f"{world.base}/board").status == 403
    assert page.goto(f"{world.base}/engineers/E02/day").status == 403
    assert page.goto(f"{world.base}/board/plans/{world.published.plan_id}").status == 403


def test_the_xss_customer_renders_as_text_on_the_board(world: World, log_in: LogIn) -> None:
    page = log_in(world.token(Role.EMERGENCY))
    dialogs: list[str] = []
    refused: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    page.on("console", lambda m: refused.append(m.text) if "Security Policy" in m.text else None)
    page.goto(f"{world.base}/board?scope=ALL&date={DAY}")
    bar = page.locator(f"rect[data-ticket='{world.xss_ticket}']:is(.work, .late) title")
    expect(bar).to_contain_text(XSS)
    page.locator(f"#map path.site[aria-label^='#{world.xss_ticket} ']").dispatch_event("mouseover")
    expect(page.locator(".leaflet-tooltip")).to_contain_text(XSS)
    assert page.locator("img[src=x]").count() == 0
    assert dialogs == []
    assert refused == [], "Leaflet and the board's script run under the CSP untouched"
    csp = page.request.get(f"{world.base}/login").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_the_map_draws_outlines_offices_sites_and_routes_over_street_tiles(
    world: World, log_in: LogIn
) -> None:
    page = log_in(world.token(Role.EMERGENCY))
    page.goto(f"{world.base}/board?scope=ALL&date={DAY}")
    expect(page.locator("#map[data-basemap=ready] path.province")).to_have_count(34)
    with world.factory() as session:
        offices = len(directory.offices(session))
    routed = [r for r in world.published.routes if r.stops]
    expect(page.locator("#map path.site.office")).to_have_count(offices)
    expect(page.locator("#map path.site")).to_have_count(offices + len(world.published.stops()))
    expect(page.locator("#map path.route")).to_have_count(len(routed))
    expect(page.locator("#map img.leaflet-tile-loaded").first).to_be_attached()
    assert any(re.fullmatch(r"/\d+/\d+/\d+\.png", path) for path in world.tiles.requested)
    csp = page.request.get(f"{world.base}/board").headers["content-security-policy"]
    assert f"img-src 'self' data: {world.tiles.origin};" in csp
    assert csp.count(world.tiles.origin) == 1, "the tile server's images only"
    province = page.locator("#map path.province").first
    outline = province.get_attribute("d")
    page.click("#map .leaflet-control-zoom-in")
    expect(province).not_to_have_attribute("d", outline or "", timeout=5_000)


def test_the_vis_timeline_view_draws_every_engineer_under_the_csp(
    world: World, log_in: LogIn
) -> None:
    page = log_in(world.token(Role.EMERGENCY))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{world.base}/board?scope=ALL&date={DAY}&timeline=vis")
    labels = page.locator("#vis-timeline .vis-labelset .vis-label")
    expect(labels).to_have_count(len(world.published.routes))
    expect(page.locator("#vis-timeline .vis-item.work").first).to_be_attached()
    assert page.locator("img[src=x]").count() == 0 and errors == []


def test_the_intake_form_shows_each_fields_error_then_registers(
    world: World, log_in: LogIn
) -> None:
    page = log_in(world.token(Role.DISPATCHER, offices=("SH",)))
    page.goto(f"{world.base}/board/calls/new")
    _fill(
        page,
        customer="上海地铁2号线",
        latitude="95",
        longitude="121.47",
        called_at=f"{DAY}T09:30",
        product_line="video-surveillance",
        fault="无图像",
    )
    page.click("#register")
    expect(page.locator("#e-latitude")).to_contain_text("less than or equal to 90")
    expect(page.locator("#e-called_at")).to_contain_text("timezone")
    expect(page.locator("#f-customer")).to_have_value("上海地铁2号线")
    page.fill("#f-latitude", "31.23")
    page.fill("#f-called_at", f"{DAY}T09:30+08:00")
    page.click("#register")
    expect(page).to_have_url(re.compile(r"/board/calls/\d+/options"))
    expect(page.locator("h1")).to_contain_text("上海地铁2号线")
    page.click("text=Call register")
    expect(page.locator("#calls")).to_contain_text("上海地铁2号线")


def _fill(page: Page, **fields: str) -> None:
    """Type each value into the form field ``#f-NAME``."""
    for name, value in fields.items():
        page.fill(f"#f-{name}", value)
