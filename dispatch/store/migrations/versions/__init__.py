"""Alembic revision scripts, applied in order by ``dispatch.store.migrate.upgrade``."""
