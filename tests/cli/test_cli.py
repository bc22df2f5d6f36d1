"""The operator's command line, end to end on the real store."""

from __future__ import annotations

from datetime import datetime

from tests.cli.conftest import Invoke, json_of

DAY = "2026-11-23"


def _seed(dispatch_cli: Invoke) -> None:
    result = dispatch_cli("seed", "--scenario", "normal", "--date", DAY, "--seed", "7")
    assert result.exit_code == 0, result.output


def test_seed_then_list_the_organisation(dispatch_cli: Invoke) -> None:
    _seed(dispatch_cli)
    offices = json_of(dispatch_cli("offices", "--json"))
    engineers = json_of(dispatch_cli("engineers", "--json"))
    assert len(offices) == 15
    assert len(engineers) == 16
    assert {"code", "name", "city", "latitude", "longitude", "timezone"} <= set(offices[0])
    assert {"id", "name", "office", "skills"} <= set(engineers[0])


def test_seeding_twice_adds_nothing(dispatch_cli: Invoke) -> None:
    _seed(dispatch_cli)
    first = json_of(dispatch_cli("tickets", "list", "--json"))
    second_run = dispatch_cli("seed", "--scenario", "normal", "--date", DAY, "--seed", "7")
    assert "0 new tickets" in second_run.stdout
    assert json_of(dispatch_cli("tickets", "list", "--json")) == first
    assert len(first) > 15


def test_seeded_tickets_carry_area_and_deadline(dispatch_cli: Invoke) -> None:
    _seed(dispatch_cli)
    tickets = json_of(dispatch_cli("tickets", "list", "--json"))
    for ticket in tickets:
        assert ticket["service_area"] in {"urban", "suburban", "regional"}
        called = datetime.fromisoformat(ticket["called_at"])
        deadline = datetime.fromisoformat(ticket["deadline"])
        assert deadline.utcoffset() is not None
        assert deadline > called


def _add(dispatch_cli: Invoke, *extra: str) -> dict[str, object]:
    args = ["tickets", "add", "--office", "SH", "--called-at", "2026-11-20T17:30:00+08:00"]
    args += ["--product", "video-surveillance", "--fault", "no picture", "--json"]
    return dict(json_of(dispatch_cli(*args, *extra)))


def test_intake_prints_area_and_deadline_of_the_friday_evening_call(
    dispatch_cli: Invoke,
) -> None:
    _seed(dispatch_cli)
    urban = _add(dispatch_cli, "--lat", "31.2304", "--lon", "121.4737")
    assert urban["service_area"] == "urban"
    assert urban["deadline"] == "2026-11-23T14:30+08:00"
    regional = _add(dispatch_cli, "--lat", "31.2989", "--lon", "120.5853")
    assert regional["service_area"] == "regional"
    assert regional["deadline"] == "2026-11-22T05:30+08:00"


def test_list_filters_by_office_and_status(dispatch_cli: Invoke) -> None:
    _seed(dispatch_cli)
    shanghai = json_of(dispatch_cli("tickets", "list", "--office", "SH", "--json"))
    assert shanghai and {t["office"] for t in shanghai} == {"SH"}
    closed = json_of(dispatch_cli("tickets", "list", "--status", "closed", "--json"))
    assert closed == []


def test_bad_input_is_one_line_and_non_zero(dispatch_cli: Invoke) -> None:
    _seed(dispatch_cli)
    cases = [
        ("--office", "XX", "--lat", "31.2", "--lon", "121.4"),
        ("--office", "SH", "--lat", "95", "--lon", "121.4"),
        ("--office", "SH", "--lat", "31.2", "--lon", "121.4", "--kind", "Z"),
    ]
    for case in cases:
        args = ["tickets", "add", *case, "--called-at", "2026-11-20T17:30+08:00"]
        result = dispatch_cli(*args, "--product", "video-surveillance", "--fault", "x")
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("error: ")
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.output


def test_unknown_product_line_and_bad_time_are_refused(dispatch_cli: Invoke) -> None:
    _seed(dispatch_cli)
    base = ["tickets", "add", "--office", "SH", "--lat", "31.2", "--lon", "121.4"]
    unknown = dispatch_cli(
        *base, "--called-at", "2026-11-20T17:30+08:00", "--product", "toasters", "--fault", "x"
    )
    assert unknown.exit_code == 2
    assert "toasters" in unknown.stderr
    bad_time = dispatch_cli(
        *base, "--called-at", "yesterday", "--product", "video-surveillance", "--fault", "x"
    )
    assert bad_time.exit_code == 2
    assert "--called-at" in bad_time.stderr


def test_a_naive_call_time_is_read_in_the_office_zone(dispatch_cli: Invoke) -> None:
    _seed(dispatch_cli)
    ticket = _add(dispatch_cli, "--lat", "31.2304", "--lon", "121.4737")
    naive = ["tickets", "add", "--office", "SH", "--called-at", "2026-11-20T17:30"]
    naive += ["--product", "video-surveillance", "--fault", "x", "--json"]
    same = json_of(dispatch_cli(*naive, "--lat", "31.2304", "--lon", "121.4737"))
    assert same["called_at"] == ticket["called_at"]
    assert same["deadline"] == ticket["deadline"]


def test_plan_prints_each_engineers_day_and_tentative_next_day(dispatch_cli: Invoke) -> None:
    _seed(dispatch_cli)
    plan = ["plan", "--date", DAY, "--office", "SH", "--seconds", "1", "--seed", "1"]
    human = dispatch_cli(*plan)
    assert human.exit_code == 0, human.output
    assert "hours by engineer" in human.stdout
    assert "next day jobs" in human.stdout
    engineers = json_of(dispatch_cli(*plan, "--json"))["kpis"]["engineers"]
    assert set(engineers) == {"E01", "E02"}
    for figures in engineers.values():
        assert figures["date"] == DAY
        assert figures["next_day"]["date"] == "2026-11-24"
        assert {"A", "B", "C", "D"} == set(figures["next_day"]["hours_by_kind"])
