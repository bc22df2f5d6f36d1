"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Dialect, Enum
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant, stored in UTC and read back as an aware UTC datetime.

    PostgreSQL stores it as ``timestamptz``. SQLite has no time zones, so the value is
    converted to UTC and stored without an offset; all stored values then share one
    format and compare correctly as text. Naive datetimes are refused on write: their
    meaning depends on the machine's clock, which is exactly the ambiguity this avoids.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused; give a time zone")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column_type(enum_class: type[StrEnum]) -> Enum:
    """Store a ``StrEnum`` as its string value in a VARCHAR (portable, no native enum).

    Adding a member later needs no schema change; unknown strings are refused on write.
    """
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=32,
        validate_strings=True,
        values_callable=_enum_values,
    )


def _enum_values(enum_class: Any) -> list[str]:
    return [member.value for member in enum_class]
