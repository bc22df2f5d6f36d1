"""A two-worker race scored from move-count runs: the better plan of each seed pair.

A solve's plan is the better of its two workers'. Given the runs of this process's
worker and of the second's (``bench/spread.py`` or ``bench/lineup.py`` output files, a
variant each), every pair of different search seeds (i here, j != i there) is scored
by its better objective against the day's reference: mean / worst / pairs within 1 %.
Pairs share seeds, so they are not independent draws. When both workers run the same
mix (the same spec twice), each unordered pair {i, j} is counted once, and the single
runs are scored too. A spec may join
files with ``+`` (runs of other seeds of the same variant).

    .venv/bin/python bench/race_pairs.py "HERE.json@base" "SECOND.json@second worker"
    .venv/bin/python bench/race_pairs.py "A.json+B.json@base" "A.json+B.json@base"
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from spread import REFERENCE  # bench/ is on sys.path when run as a script


def runs(spec: str) -> dict[tuple[str, int], int]:
    """``FILE[+FILE...]@VARIANT``: objective by (day, search seed)."""
    paths, variant = spec.split("@")
    rows = [r for path in paths.split("+") for r in json.loads(Path(path).read_text())]
    return {(r["day"], r["seed"]): r["objective"] for r in rows if r["variant"] == variant}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("here")
    parser.add_argument("second")
    args = parser.parse_args()
    here, second = runs(args.here), runs(args.second)
    for day in sorted({d for d, _ in here} & {d for d, _ in second}):
        ref = REFERENCE[day]
        pairs = [
            min(here[(day, i)], second[(day, j)])
            for (d, i) in here
            if d == day
            for (e, j) in second
            if e == day and (i < j if args.here == args.second else i != j)
        ]
        if args.here == args.second:
            print(
                f"{day:9} single runs {score([o for (d, _), o in here.items() if d == day], ref)}"
            )
        print(f"{day:9} pairs       {score(pairs, ref)}")


def score(objectives: list[int], ref: int) -> str:
    """Mean / worst % over the reference and how many are within 1 % of it."""
    gaps = [100.0 * (o / ref - 1) for o in objectives]
    near = sum(o <= ref * 1.01 for o in objectives)
    return (
        f"mean {sum(gaps) / len(gaps):+6.1f} % worst {max(gaps):+6.1f} % "
        f"within 1 %: {near} of {len(objectives)}"
    )


if __name__ == "__main__":
    main()
