"""``dispatch solve`` on large problem files: does the time limit hold, how much memory.

Writes a problem file (``docs/problem-file.md``) from the scaled fixture organisation
(``fixtures.generator.scale``), runs ``dispatch solve FILE --seconds S`` in a fresh process
and records its wall time, the peak resident memory of the largest process of the run
(``wait4``), the exit code and the first line of its standard error (a refusal).

    .venv/bin/python bench/limits.py --sizes 16x0,100x1000,300x5000,100x10000 --seconds 2,10

``16x0`` (no tickets) shows the fixed start-up: the interpreter and the imports. A size
the planner refuses (``docs/solver.md``, "Limits") shows the refusal's exit code 2 and line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from fixtures.generator import scale

DAY = date(2026, 11, 23)
DISPATCH = Path(sys.executable).with_name("dispatch")


@dataclass(frozen=True)
class Run:
    engineers: int
    tickets: int
    seconds: float
    wall_s: float
    over_limit_s: float
    peak_rss_mib: float
    exit_code: int
    assigned: int
    unassigned: int
    message: str
    load_1m: float


def problem_file(n_engineers: int, n_tickets: int, seed: int) -> dict[str, Any]:
    """The scaled organisation's day as a problem file."""
    offices, engineers, drafts = scale(n_engineers, n_tickets, DAY, seed)
    return {
        "date": DAY.isoformat(),
        "offices": [
            {
                "code": o.code,
                "name": o.name,
                "city": o.city,
                "region": o.region,
                "latitude": o.location.latitude,
                "longitude": o.location.longitude,
                "urban_radius_km": o.urban_radius_km,
                "suburban_radius_km": o.suburban_radius_km,
            }
            for o in offices
        ],
        "engineers": [
            {"id": e.id, "name": e.name, "office": e.office_code, "skills": sorted(e.skills)}
            for e in engineers
        ],
        "tickets": [
            {
                "id": number,
                "office": d.office_code,
                "customer": d.customer,
                "latitude": d.site.latitude,
                "longitude": d.site.longitude,
                "called_at": d.called_at.isoformat(),
                "product_line": d.product_line,
                "fault": d.fault,
                "kind": d.kind.value,
                "priority": d.priority,
                "emergency": d.emergency,
                "remote_failed": d.remote_failed,
                "onsite_minutes": d.onsite_minutes,
            }
            for number, d in enumerate(drafts, start=1)
        ],
    }


def run(path: Path, n_engineers: int, n_tickets: int, seconds: float) -> Run:
    command = [str(DISPATCH), "solve", str(path), "--seconds", f"{seconds:g}"]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        printed, message = out.read(), err.read().decode(errors="replace").strip().splitlines()
    assigned = unassigned = 0
    if process.returncode == 0:
        plan = json.loads(printed)
        assigned = sum(len(route["stops"]) for route in plan["routes"])
        unassigned = len(plan["unassigned"])
    return Run(
        engineers=n_engineers,
        tickets=n_tickets,
        seconds=seconds,
        wall_s=round(wall, 2),
        over_limit_s=round(wall - seconds, 2),
        peak_rss_mib=round(usage.ru_maxrss / 1024.0, 1),
        exit_code=process.returncode,
        assigned=assigned,
        unassigned=unassigned,
        message=message[-1][:200] if message else "",
        load_1m=round(os.getloadavg()[0], 2),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="100x1000,100x10000")
    parser.add_argument("--seconds", default="2", help="limits to try, comma-separated")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes.split(","):
            n_engineers, n_tickets = (int(part) for part in size.split("x"))
            path = Path(folder) / f"{size}.json"
            path.write_text(json.dumps(problem_file(n_engineers, n_tickets, args.seed)))
            for seconds in (float(s) for s in args.seconds.split(",")):
                if seconds > 1.0 and n_tickets == 0:
                    continue
                runs.append(run(path, n_engineers, n_tickets, seconds))
                print(json.dumps(asdict(runs[-1])), flush=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps([asdict(r) for r in runs], indent=2))


if __name__ == "__main__":
    main()
