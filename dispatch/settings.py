"""Runtime settings, read from environment variables.

``DATABASE_URL`` selects the database: a SQLite file by default (relative to the
working directory), or ``postgresql+psycopg://user@host:port/db`` in production and CI.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///var/fsdispatch.sqlite3"
DEFAULT_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"


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

    job_backend: Literal["embedded", "celery"] = "embedded"
    """Where solves run: ``embedded`` (processes of the API server, no broker needed) or
    ``celery`` (``dispatch worker`` processes fed through ``BROKER_URL``)."""
    broker_url: str = DEFAULT_BROKER_URL
    """The Celery broker: RabbitMQ (see ``docs/deployment.md`` for why)."""
    queue_prefix: str = Field(default="fsdispatch", pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    """Queue names are ``<prefix>.plans`` and ``<prefix>.emergency``: deployments (or test
    sessions) sharing one broker keep apart by prefix."""
    job_lease_seconds: float = Field(default=30.0, gt=0)
    """A queue worker holds a running job this long unless it renews the lease (it does
    every third of it); an expired lease means the worker is gone."""
    job_max_attempts: int = Field(default=3, ge=1)
    """Attempts of a job whose workers keep disappearing before it is failed."""
    parts_from_jobs: int | None = Field(default=None, ge=2)
    """On queue workers, a day of this many jobs or more is solved in parts across the
    parts workers (default: where the solver starts solving in parts, 500 jobs)."""

    board_tile_url: str | None = Field(
        default=None, pattern=r"^https?://[^/?#\s'\";]+/[^\s'\";]*\{z\}[^\s'\";]*$"
    )
    """A street-map tile server for the board's map, e.g.
    ``https://tile.openstreetmap.org/{z}/{x}/{y}.png`` (``{s}`` for subdomains allowed).
    Unset (the default), the map shows only the offline province outlines; set, the tiles
    lie under them and the pages' CSP allows images from that origin."""
    board_tile_attribution: str = Field(default="", max_length=300)
    """The credit the tile server asks for, shown as text in the map's corner."""

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
