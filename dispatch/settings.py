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

    @model_validator(mode="after")
    def _default_within_max(self) -> Settings:
        if self.solve_seconds_default > self.solve_seconds_max:
            raise ValueError("solve_seconds_default must not exceed solve_seconds_max")
        return self


@cache
def get_settings() -> Settings:
    """The process-wide settings, read once. Tests call ``get_settings.cache_clear()``."""
    return Settings()
