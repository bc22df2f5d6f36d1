"""How fast the pages are in a real browser (issue 10's targets).

    python bench/board.py [--runs 5] [--large-engineers 300 --large-jobs 5000]

1. The ``normal`` day's country board and an engineer's page: time from navigation start
   to ``domInteractive``, to the board's ``board-ready`` mark (``static/board.js``: the
   Leaflet map and the timeline drawn and painted) and to ``loadEventEnd`` (Playwright +
   Debian's Chromium), median of ``--runs`` loads.
2. A synthetic day of 300 engineers and 5,000 visits: the board's load times, its HTML
   size, then the long tasks (> 50 ms, from the browser's ``longtask`` observer) while
   the timeline is scrolled from top to bottom with the mouse wheel; the target is none
   over 200 ms.

Both are measured for each timeline view (``--views svg,vis``): the server-drawn SVG and
vis-timeline.

Writes ``bench/results/board-<UTC time>.json`` with the machine's load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.board_world import DAY, BoardWorld, board_world

RESULTS = Path(__file__).resolve().parent / "results"
OBSERVE_LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
}).observe({type: "longtask", buffered: true});
"""
TIMING = """() => {
  const [n] = performance.getEntriesByType("navigation");
  const [ready] = performance.getEntriesByName("board-ready");
  return {interactive_ms: n.domInteractive, ready_ms: ready ? ready.startTime : null,
          loaded_ms: n.loadEventEnd, bytes: n.transferSize};
}"""
TIMELINE_HEIGHT = {
    "svg": "document.querySelector('.timeline').scrollHeight",
    "vis": "document.querySelector('#vis-timeline .vis-foreground').scrollHeight",
}
TIMELINE_BOX = {"svg": ".timeline", "vis": "#vis-timeline .vis-panel.vis-center"}


def _page(browser: Browser, world: BoardWorld, who: str, phone: bool = False) -> Page:
    viewport = {"width": 390, "height": 844} if phone else {"width": 1500, "height": 950}
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    context.add_init_script(OBSERVE_LONG_TASKS)
    page = context.new_page()
    page.set_default_timeout(LONGEST_WAIT_MS)
    page.goto(f"{world.base}/login")
    page.fill("#token", world.tokens[who])
    page.click("#login")
    return page


def _loads(page: Page, url: str, runs: int, ready: str | None = None) -> dict[str, Any]:
    timings = []
    for _ in range(runs):
        page.goto(url, wait_until="load")
        if ready:
            page.wait_for_selector(ready, state="attached", timeout=120_000)
        timings.append(page.evaluate(TIMING))
    result: dict[str, Any] = {
        "runs": timings,
        "median_interactive_ms": statistics.median(t["interactive_ms"] for t in timings),
        "median_loaded_ms": statistics.median(t["loaded_ms"] for t in timings),
    }
    if ready:
        result["median_ready_ms"] = statistics.median(t["ready_ms"] for t in timings)
    return result


def _scroll(page: Page, view: str) -> dict[str, Any]:
    """Scroll the timeline to the bottom with the wheel; the long tasks seen meanwhile."""
    page.evaluate("window.__longTasks = []")
    height = page.evaluate(TIMELINE_HEIGHT[view])
    box = page.locator(TIMELINE_BOX[view]).bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    started = time.perf_counter()
    for _ in range(0, int(height), 400):
        page.mouse.wheel(0, 400)
        page.wait_for_timeout(16)
    page.wait_for_timeout(300)
    tasks: list[float] = page.evaluate("window.__longTasks")
    return {
        "timeline_px": height,
        "scroll_s": round(time.perf_counter() - started, 2),
        "long_tasks_ms": sorted(tasks, reverse=True)[:10],
        "longest_task_ms": max(tasks, default=0.0),
    }


READY = "body[data-ready]"
LONGEST_WAIT_MS = 300_000
"""vis-timeline on the 300-engineer day freezes the page for minutes: wait it out."""


def _board_url(world: BoardWorld, view: str) -> str:
    return f"{world.base}/board?scope=ALL&date={DAY}&timeline={view}"


def measure_normal(browser: Browser, runs: int, views: list[str]) -> dict[str, Any]:
    with board_world() as world:
        board = _page(browser, world, "emergency")
        engineer = _page(browser, world, "engineer", phone=True)
        result = {
            f"board_{view}": _loads(board, _board_url(world, view), runs, READY) for view in views
        }
        result["engineer"] = _loads(
            engineer, f"{world.base}/engineers/{world.engineer_id}/day?date={DAY}", runs
        )
        return result


def _large_view(browser: Browser, world: BoardWorld, view: str, runs: int) -> dict[str, Any]:
    board = _page(browser, world, "emergency")
    loads = _loads(board, _board_url(world, view), runs, READY)
    first_load_long_tasks = board.evaluate("window.__longTasks")
    result = {
        "board": loads,
        "long_tasks_during_load_ms": sorted(first_load_long_tasks, reverse=True)[:10],
        "scroll": _scroll(board, view),
    }
    board.context.close()
    return result


def measure_large(
    browser: Browser, engineers: int, jobs: int, runs: dict[str, int]
) -> dict[str, Any]:
    with board_world(engineers, jobs) as world:
        result: dict[str, Any] = {"engineers": engineers, "jobs": jobs}
        for view, count in runs.items():
            result[view] = _large_view(browser, world, view, count)
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--large-engineers", type=int, default=300)
    parser.add_argument("--large-jobs", type=int, default=5000)
    parser.add_argument("--views", default="svg,vis", help="timeline views to compare")
    parser.add_argument(
        "--large-vis-runs", type=int, default=1, help="loads of the large day in vis-timeline"
    )
    args = parser.parse_args()
    views = args.views.split(",")
    large_runs = {v: args.large_vis_runs if v == "vis" else args.runs for v in views}
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            result = {
                "command": " ".join(sys.argv),
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "load_1m": os.getloadavg()[0],
                "normal": measure_normal(browser, args.runs, views),
                "large": measure_large(browser, args.large_engineers, args.large_jobs, large_runs),
            }
        finally:
            browser.close()
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"board-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
