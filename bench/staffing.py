"""How many engineers for the 6-hour rule? On-time rate against engineers added, by replay.

Seeds a generated month of calls (``dispatch seed --scenario month``) into a fresh store,
then replays its working days (``dispatch.services.replay``) with 0, 1, 2, ... engineers
added, and reports the on-time rate of the 6-hour rule (and of every call), lateness,
calls never reached and utilisation, as a table and a PNG chart.

Engineers are added where the calls are: the k-th goes to the office with the most
calls per engineer so far (the month's calls over its engineers, added ones included),
certified on that office's three most-called product lines.

    .venv/bin/python bench/staffing.py --added 0,2,4,8,12 --solutions 20 \\
        --out bench/results/staffing-202611.json --chart docs/staffing-6h.png

Each day's solve stops after ``--solutions`` solutions (capped at ``--seconds``), not at
a time limit: a time-limited solve on a loaded machine finds worse plans the more
engineers it is given, which would say nothing about staffing.

Needs the ``bench`` extra (matplotlib) for the chart.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dispatch.services.replay import ExtraEngineer, replay
from dispatch.services.seeding import seed
from dispatch.store.database import make_engine, session_factory
from dispatch.store.migrate import upgrade
from fixtures.generator import generate_month
from fixtures.organisation import ENGINEERS
from fixtures.scenarios import MONTH_DAYS


def staffing(first: date, count: int, seed_value: int) -> list[ExtraEngineer]:
    """``count`` engineers, each where the calls per engineer are highest so far."""
    calls = generate_month(first, seed_value)
    per_office = Counter(d.office_code for d in calls)
    staff = Counter(e.office_code for e in ENGINEERS)
    lines: dict[str, list[str]] = {}
    for code in per_office:
        called = Counter(d.product_line for d in calls if d.office_code == code)
        lines[code] = [line for line, _ in called.most_common(3)]
    added = []
    for _ in range(count):
        code = max(sorted(per_office), key=lambda c: per_office[c] / staff[c])
        staff[code] += 1
        added.append(ExtraEngineer(code, frozenset(lines[code])))
    return added


def run(args: argparse.Namespace, url: str) -> list[dict[str, Any]]:
    upgrade(url)
    factory = session_factory(make_engine(url))
    first = date.fromisoformat(args.first)
    last = first + timedelta(days=args.days - 1)
    with factory() as session:
        seed(session, scenario="month", day=first, seed=args.seed)
        session.commit()
        rows = []
        for count in (int(n) for n in args.added.split(",")):
            extra = staffing(first, count, args.seed)
            started = time.perf_counter()
            report = replay(
                session,
                start=first,
                end=last,
                extra=extra,
                seconds=args.seconds,
                solution_limit=args.solutions or None,
            )
            total = report.total.as_dict()
            rows.append(
                {
                    "added": count,
                    "where": sorted(Counter(e.office_code for e in extra).items()),
                    "engineers": report.engineers,
                    "on_time_6h": report.total.on_time_rate("6h"),
                    "on_time_all": total["on_time_rate"],
                    "served": total["served"],
                    "late_minutes": total["late_minutes"],
                    "not_reached": report.open_at_end,
                    "overdue_at_end": report.overdue_at_end,
                    "utilisation": total["utilisation"],
                    "overtime_minutes": total["overtime_minutes"],
                    "wall_s": round(time.perf_counter() - started, 1),
                    "load_1m": round(os.getloadavg()[0], 2),
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    return rows


def chart(rows: list[dict[str, Any]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(7, 4))
    added = [r["added"] for r in rows]
    axis.plot(added, [100 * r["on_time_6h"] for r in rows], marker="o", label="6-hour rule")
    axis.plot(added, [100 * r["on_time_all"] for r in rows], marker="s", label="all calls")
    axis.axhline(95, color="grey", linestyle="--", linewidth=1, label="95 % target")
    axis.set_xlabel("engineers added to the 16")
    axis.set_ylabel("calls reached on time (%)")
    axis.set_title(title)
    axis.legend(loc="lower right")
    axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", default="2026-11-02", help="first day of the month")
    parser.add_argument("--days", type=int, default=MONTH_DAYS)
    parser.add_argument("--added", default="0,1,2,4,8")
    parser.add_argument("--seconds", type=float, default=60.0, help="cap per day")
    parser.add_argument(
        "--solutions",
        type=int,
        default=20,
        help="solutions per day (load-independent); 0: stop at --seconds instead",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--chart", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        rows = run(args, f"sqlite:///{folder}/staffing.sqlite3")
    if args.out is not None:
        args.out.write_text(json.dumps(rows, indent=2) + "\n")
    if args.chart is not None:
        budget = f"{args.solutions} solutions" if args.solutions else f"{args.seconds:g} s"
        title = f"Replay of {args.days} days from {args.first}, {budget} a day"
        chart(rows, args.chart, title)


if __name__ == "__main__":
    main()
