"""Satisfaction surveys of closed calls (004 Art. 23–24), and how far an office's
holiday source reaches (``offices.holidays_known_through``).

The 72-hour replacement visits need no schema change: their rule ``72h`` is a new value
of the VARCHAR ``deadline_rule`` column, and ``source_ref`` links them to the original.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("offices", sa.Column("holidays_known_through", sa.Date(), nullable=True))
    op.create_table(
        "surveys",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("office_code", sa.String(length=16), nullable=False),
        sa.Column("engineer_id", sa.String(length=32), nullable=True),
        sa.Column("attitude", sa.Integer(), nullable=False),
        sa.Column("technique", sa.Integer(), nullable=False),
        sa.Column("arrival_time", sa.Integer(), nullable=False),
        sa.Column("follow_through", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["engineer_id"], ["engineers.id"], name=op.f("fk_surveys_engineer_id_engineers")
        ),
        sa.ForeignKeyConstraint(
            ["office_code"], ["offices.code"], name=op.f("fk_surveys_office_code_offices")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_surveys_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_surveys")),
    )
    op.create_index(op.f("ix_surveys_office_code"), "surveys", ["office_code"])


def downgrade() -> None:
    op.drop_index(op.f("ix_surveys_office_code"), table_name="surveys")
    op.drop_table("surveys")
    with op.batch_alter_table("offices") as batch:
        batch.drop_column("holidays_known_through")
