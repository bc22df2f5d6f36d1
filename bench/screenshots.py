"""Regenerate one screenshot per page into ``docs/screenshots/`` (and the README's).

    python bench/screenshots.py

Seeds the ``normal`` demo day in a throwaway database, serves it with ``dispatch serve``
and photographs each page in Debian's Chromium.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.board_world import DAY, BoardWorld, board_world

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
DESKTOP = {"width": 1500, "height": 950}
PHONE = {"width": 390, "height": 844}


def signed_in(browser: Browser, world: BoardWorld, who: str, phone: bool = False) -> Page:
    page = browser.new_context(viewport=PHONE if phone else DESKTOP).new_page()
    page.goto(f"{world.base}/login")
    page.fill("#token", world.tokens[who])
    page.click("#login")
    return page


def shoot(world: BoardWorld, browser: Browser) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    login = browser.new_context(viewport=DESKTOP).new_page()
    login.goto(f"{world.base}/login")
    login.screenshot(path=OUT / "login.png")
    board = signed_in(browser, world, "emergency")
    for view, name in (("svg", "board.png"), ("vis", "board-vis-timeline.png")):
        board.goto(f"{world.base}/board?scope=ALL&date={DAY}&timeline={view}")
        board.wait_for_selector("body[data-ready] #map[data-basemap=ready]", state="attached")
        board.wait_for_timeout(500)  # Leaflet's zoom animation and vis-timeline's redraw
        board.screenshot(path=OUT / name)
    board.goto(f"{world.base}/board/plans/{world.candidate}")
    board.screenshot(path=OUT / "plan-comparison.png", full_page=True)
    board.goto(f"{world.base}/board/calls?office=SH")
    board.screenshot(path=OUT / "calls.png")
    board.goto(f"{world.base}/board/calls/new")
    board.fill("#f-latitude", "95")
    board.click("#register")
    board.screenshot(path=OUT / "call-form-errors.png", full_page=True)
    engineer = signed_in(browser, world, "engineer", phone=True)
    engineer.goto(f"{world.base}/engineers/{world.engineer_id}/day?date={DAY}")
    engineer.screenshot(path=OUT / "engineer-day.png", full_page=True)


def main() -> None:
    with board_world() as world, sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            shoot(world, browser)
        finally:
            browser.close()
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main()
