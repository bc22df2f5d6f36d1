"""Settings come from the environment, with a SQLite default (dispatch/settings.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from dispatch.settings import DEFAULT_DATABASE_URL, Settings, get_settings


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_default_database_is_a_local_sqlite_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert Settings().database_url == DEFAULT_DATABASE_URL == "sqlite:///var/fsdispatch.sqlite3"


def test_database_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/x")
    assert get_settings().database_url.endswith("/x")


def test_get_settings_is_cached() -> None:
    assert get_settings() is get_settings()


def test_solve_default_may_not_exceed_max(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOLVE_SECONDS_DEFAULT", "90")
    monkeypatch.setenv("SOLVE_SECONDS_MAX", "60")
    with pytest.raises(ValidationError):
        Settings()


def test_replan_default_may_not_exceed_max(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPLAN_SECONDS_DEFAULT", "90")
    monkeypatch.setenv("SOLVE_SECONDS_MAX", "60")
    with pytest.raises(ValidationError):
        Settings()
