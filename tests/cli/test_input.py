"""The CLI takes the API's rules (issue 9): one intake form, bounded files, one-line errors.

Exit codes: 0 success, 2 bad input (one line on stderr), 1 a bug (one line naming a file
with the traceback); never a traceback on the terminal.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from dispatch.cli import app
from dispatch.services import problem_file
from tests.api.conftest import load_organisation
from tests.cli.conftest import Invoke
from tests.cli.test_solve import _problem

CALL = ["--office", "SH", "--lat", "31.2304", "--lon", "121.4737"]
CALL += ["--called-at", "2026-11-23T10:00+08:00", "--product", "video-surveillance"]


@pytest.fixture
def organisation(session: Session) -> None:
    load_organisation(session)


def _one_line_error(result: Result, code: int = 2) -> str:
    assert result.exit_code == code, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def _run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@pytest.mark.parametrize(
    "extra, option",
    [
        (["--fault", ""], "--fault"),
        (["--fault", "x" * 3000], "--fault"),
        (["--fault", "x", "--called-at", "9999-12-31T23:59:59+14:00"], "--called-at"),
        (["--fault", "x", "--called-at", "0001-01-01T00:00:00+14:00"], "--called-at"),
        (["--fault", "x", "--priority", "12"], "--priority"),
        (["--fault", "x", "--product", "toasters"], "--product"),
    ],
)
def test_tickets_add_refuses_what_the_api_refuses(
    dispatch_cli: Invoke, organisation: None, extra: list[str], option: str
) -> None:
    assert option in _one_line_error(dispatch_cli("tickets", "add", *CALL, *extra))


def test_plan_refuses_a_day_out_of_range(dispatch_cli: Invoke) -> None:
    line = _one_line_error(dispatch_cli("plan", "--date", "9999-12-31", "--seconds", "0.1"))
    assert "--date" in line


def _problem_file(tmp_path: Path, problem: dict[str, Any]) -> str:
    path = tmp_path / "day.json"
    path.write_text(json.dumps(problem))
    return str(path)


def test_solve_refuses_duplicate_offices_and_unknown_product_lines(tmp_path: Path) -> None:
    twice = _problem()
    twice["offices"].append(dict(twice["offices"][0]))
    assert "offices: SH given more than once" in _one_line_error(
        _run("solve", _problem_file(tmp_path, twice))
    )
    unknown = _problem()
    unknown["tickets"][0]["product_line"] = "toasters"
    assert "tickets.0.product_line" in _one_line_error(
        _run("solve", _problem_file(tmp_path, unknown))
    )
    uncertified = _problem()
    uncertified["tickets"][0]["product_line"] = "servers"
    assert "no engineer is certified" in _one_line_error(
        _run("solve", _problem_file(tmp_path, uncertified))
    )


def test_solve_refuses_deep_nesting_and_endless_files_quickly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nested = tmp_path / "nested.json"
    nested.write_text("[" * 100_000 + "]" * 100_000)
    assert "recursion" in _one_line_error(_run("solve", str(nested)))
    monkeypatch.setattr(problem_file, "MAX_FILE_BYTES", 1024)
    assert "larger than" in _one_line_error(_run("solve", "/dev/zero"))


@pytest.mark.parametrize(
    "args",
    [
        ["solve"],
        ["solve", "--seconds", "abc", "x.json"],
        ["tickets", "add", "--office", "SH"],
        ["nosuch"],
        ["plan", "--date"],
    ],
)
def test_usage_errors_are_one_line(args: list[str]) -> None:
    _one_line_error(_run(*args))


def test_a_bug_is_exit_1_with_a_traceback_file(
    dispatch_cli: Invoke, organisation: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise KeyError("engineer")

    monkeypatch.setattr("dispatch.cli.tickets.register_ticket", broken)
    line = _one_line_error(dispatch_cli("tickets", "add", *CALL, "--fault", "x"), code=1)
    assert "KeyError" in line
    report = Path(line.rsplit("traceback in ", 1)[1].rstrip(")"))
    assert "raise KeyError" in report.read_text()
    report.unlink()


_WORDS = st.sampled_from(
    [
        *("SH", "XX", "", "0", "-1", "1e400", "nan", "2026-11-23", "9999-12-31", "31.2"),
        *("x" * 3000, "video-surveillance", "toasters", "2026-11-23T10:00+08:00"),
        "0001-01-01T00:00+14:00",
    ]
)
_OPTIONS = st.sampled_from(
    [
        *("--office", "--lat", "--lon", "--called-at", "--product", "--fault", "--kind"),
        *("--priority", "--area", "--status", "--date", "--seconds", "--role", "--json"),
    ]
)
_COMMANDS = st.sampled_from(
    [
        *(["tickets", "add"], ["tickets", "list"], ["offices"], ["engineers"], ["users", "add"]),
        *(["solve"], ["plan"], ["seed"], ["nosuch"], []),
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    command=_COMMANDS,
    rest=st.lists(st.one_of(_OPTIONS, _WORDS, st.text(max_size=20)), max_size=10),
)
def test_fuzzed_commands_end_in_0_or_2_with_at_most_one_error_line(
    dispatch_cli: Invoke, organisation: None, command: list[str], rest: list[str]
) -> None:
    if command == ["plan"]:
        rest = [*rest, "--seconds", "0.1"]
    result = dispatch_cli(*command, *rest)
    assert result.exit_code in (0, 2), (command, rest, result.output)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        errors = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(errors) == 1 and errors[0].startswith("error: "), result.stderr
