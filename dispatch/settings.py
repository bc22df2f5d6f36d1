"""Runtime settings, read from environment variables.

``DATABASE_URL`` selects the database: a SQLite file by default (relative to the
working directory), or ``postgresql+psycopg://user@host:port/db`` in production and CI.
"""

from __future__ import annotations

from functools import cache

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///var/fsdispatch.sqlite3"


class Settings(BaseSettings):
    """All configuration of the service; one field per environment variable."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    database_url: str = DEFAULT_DATABASE_URL
    solve_seconds_default: int = Field(default=10, ge=1)
    solve_seconds_max: int = Field(default=60, ge=1)
    replan_seconds_default: int = Field(default=1, ge=1)
    """An emergency re-plan's solve limit when the request gives none. One second keeps a
    region's re-plan within 2 s from the request to the finished job, with the urgent call
    on time (measured with ``bench/api_load.py``; see ``docs/api.md``)."""

    @model_validator(mode="after")
    def _defaults_within_max(self) -> Settings:
        for name in ("solve_seconds_default", "replan_seconds_default"):
            if getattr(self, name) > self.solve_seconds_max:
                raise ValueError(f"{name} must not exceed solve_seconds_max")
        return self


@cache
def get_settings() -> Settings:
    """The process-wide settings, read once. Tests call ``get_settings.cache_clear()``."""
    return Settings()
