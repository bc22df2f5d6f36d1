"""How fast the pages are in a real browser (issue 10's targets).

    python bench/board.py [--runs 5] [--large-engineers 300 --large-jobs 5000]

1. The ``normal`` day's country board and an engineer's page: time from navigation start
   to ``domInteractive`` and to ``loadEventEnd`` (Playwright + Debian's Chromium),
   median of ``--runs`` loads.
2. A synthetic day of 300 engineers and 5,000 visits: the board's load times, its HTML
   size, then the long tasks (> 50 ms, from the browser's ``longtask`` observer) while
   the timeline is scrolled from top to bottom; the target is none over 200 ms.

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
  return {interactive_ms: n.domInteractive, loaded_ms: n.loadEventEnd, bytes: n.transferSize};
}"""


def _page(browser: Browser, world: BoardWorld, who: str, phone: bool = False) -> Page:
    viewport = {"width": 390, "height": 844} if phone else {"width": 1500, "height": 950}
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    context.add_init_script(OBSERVE_LONG_TASKS)
    page = context.new_page()
    page.goto(f"{world.base}/login")
    page.fill("#token", world.tokens[who])
    page.click("#login")
    return page


def _loads(page: Page, url: str, runs: int) -> dict[str, Any]:
    timings = []
    for _ in range(runs):
        page.goto(url, wait_until="load")
        timings.append(page.evaluate(TIMING))
    return {
        "runs": timings,
        "median_interactive_ms": statistics.median(t["interactive_ms"] for t in timings),
        "median_loaded_ms": statistics.median(t["loaded_ms"] for t in timings),
    }


def _scroll(page: Page) -> dict[str, Any]:
    """Scroll the timeline to the bottom in steps; the long tasks seen meanwhile."""
    page.evaluate("window.__longTasks = []")
    height = page.evaluate("document.querySelector('.timeline').scrollHeight")
    started = time.perf_counter()
    for top in range(0, int(height), 400):
        page.evaluate(f"document.querySelector('.timeline').scrollTop = {top}")
        page.wait_for_timeout(16)
    page.wait_for_timeout(300)
    tasks: list[float] = page.evaluate("window.__longTasks")
    return {
        "timeline_px": height,
        "scroll_s": round(time.perf_counter() - started, 2),
        "long_tasks_ms": sorted(tasks, reverse=True)[:10],
        "longest_task_ms": max(tasks, default=0.0),
    }


def measure_normal(browser: Browser, runs: int) -> dict[str, Any]:
    with board_world() as world:
        board = _page(browser, world, "emergency")
        engineer = _page(browser, world, "engineer", phone=True)
        return {
            "board": _loads(board, f"{world.base}/board?scope=ALL&date={DAY}", runs),
            "engineer": _loads(
                engineer, f"{world.base}/engineers/{world.engineer_id}/day?date={DAY}", runs
            ),
        }


def measure_large(browser: Browser, engineers: int, jobs: int, runs: int) -> dict[str, Any]:
    with board_world(engineers, jobs) as world:
        board = _page(browser, world, "emergency")
        loads = _loads(board, f"{world.base}/board?scope=ALL&date={DAY}", runs)
        first_load_long_tasks = board.evaluate("window.__longTasks")
        return {
            "engineers": engineers,
            "jobs": jobs,
            "board": loads,
            "long_tasks_during_load_ms": sorted(first_load_long_tasks, reverse=True)[:10],
            "scroll": _scroll(board),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--large-engineers", type=int, default=300)
    parser.add_argument("--large-jobs", type=int, default=5000)
    args = parser.parse_args()
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            result = {
                "command": " ".join(sys.argv),
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "load_1m": os.getloadavg()[0],
                "normal": measure_normal(browser, args.runs),
                "large": measure_large(browser, args.large_engineers, args.large_jobs, args.runs),
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
