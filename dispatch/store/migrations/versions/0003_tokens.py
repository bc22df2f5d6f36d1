"""Token expiry and revocation: users.token_expires_at, users.revoked_at.

Tokens issued before this revision had no expiry; they get one 90 days after the
upgrade, so a forgotten token stops working without locking anyone out at once.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EXISTING_TOKENS_LAST = timedelta(days=90)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    users = sa.table("users", sa.column("token_expires_at", sa.DateTime(timezone=True)))
    op.execute(users.update().values(token_expires_at=datetime.now(UTC) + EXISTING_TOKENS_LAST))
    with op.batch_alter_table("users") as batch:
        batch.alter_column(
            "token_expires_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("revoked_at")
        batch.drop_column("token_expires_at")
