"""``dispatch replay`` on a day of the generated month."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from dispatch.services.intake import Intake
from fixtures.generator import generate_month
from tests.api.conftest import load_organisation
from tests.cli.conftest import Invoke, json_of


def test_replay_a_day_with_an_added_engineer(dispatch_cli: Invoke, session: Session) -> None:
    load_organisation(session)
    intake = Intake(session)
    for draft in generate_month(date(2026, 11, 2), seed=7, days=1):
        intake.register(draft)
    session.commit()
    one_day = ("--from", "2026-11-02", "--to", "2026-11-02")
    extra = ("--add-engineer", "SH:ups-power", "--seconds", "1")
    report = json_of(dispatch_cli("replay", *one_day, *extra, "--json"))
    assert report["engineers"] == 17 and len(report["days"]) == 1
    day = report["days"][0]
    assert day["served"] + day["carried_over"] == day["planned"]
    assert report["total"]["served"] == day["served"]
    assert set(report["total"]["on_time_by_rule"]) <= {"6h", "7h", "36h", "72h"}
    table = dispatch_cli("replay", *one_day, "--seconds", "1")
    assert table.exit_code == 0 and "per office" in table.output
    assert dispatch_cli("replay", *one_day, "--add-engineer", "SH").exit_code == 2
