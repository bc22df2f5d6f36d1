"""Alembic migrations of the fsdispatch schema (a package so installs ship it)."""
