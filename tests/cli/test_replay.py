"""``dispatch seed --scenario month`` and ``dispatch replay``."""

from __future__ import annotations

from tests.cli.conftest import Invoke, json_of


def test_seed_a_month_then_replay_a_day_with_an_added_engineer(dispatch_cli: Invoke) -> None:
    seeded = dispatch_cli("seed", "--scenario", "month", "--date", "2026-11-02", "--seed", "7")
    assert seeded.exit_code == 0 and "new tickets" in seeded.output
    calls = json_of(dispatch_cli("tickets", "list", "--json"))
    days = {c["called_at"][:10] for c in calls}
    assert min(days) == "2026-11-02" and max(days) == "2026-11-29"
    report = json_of(
        dispatch_cli(
            "replay", "--from", "2026-11-02", "--to", "2026-11-02",
            "--add-engineer", "SH:ups-power", "--seconds", "1", "--json",
        )
    )  # fmt: skip
    assert report["engineers"] == 17 and len(report["days"]) == 1
    day = report["days"][0]
    assert day["served"] + day["carried_over"] == day["planned"]
    assert report["total"]["served"] == day["served"]
    assert set(report["total"]["on_time_by_rule"]) <= {"6h", "7h", "36h", "72h"}
    bad = dispatch_cli(
        "replay", "--from", "2026-11-02", "--to", "2026-11-02", "--add-engineer", "SH"
    )
    assert bad.exit_code == 2
