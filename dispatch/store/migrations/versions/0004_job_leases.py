"""Job leases and one plan per job.

A worker holds a running job by renewing ``lease_expires_at``; a job whose lease has
expired is retried or failed (``dispatch.services.leases``). ``plans.job_id`` (unique)
names the job that stored a plan: whatever the queue delivers twice, a job stores at
most one plan version.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("solve_jobs") as batch:
        batch.add_column(sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_solve_jobs_lease_expires_at"), ["lease_expires_at"])
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("job_id", sa.Integer(), nullable=True))
        batch.create_unique_constraint(batch.f("uq_plans_job_id"), ["job_id"])


def downgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.drop_constraint(batch.f("uq_plans_job_id"), type_="unique")
        batch.drop_column("job_id")
    with op.batch_alter_table("solve_jobs") as batch:
        batch.drop_index(batch.f("ix_solve_jobs_lease_expires_at"))
        batch.drop_column("lease_expires_at")
