"""Initial schema: offices, engineers, tickets, plans, visits, unassigned.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum() -> sa.String:
    """Enums are stored as their string values in a VARCHAR(32) (see store.types)."""
    return sa.String(length=32)


def upgrade() -> None:
    op.create_table(
        "offices",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("opens", sa.Time(), nullable=False),
        sa.Column("closes", sa.Time(), nullable=False),
        sa.Column("working_days", sa.JSON(), nullable=False),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.Column("extra_working_days", sa.JSON(), nullable=False),
        sa.Column("urban_radius_km", sa.Float(), nullable=False),
        sa.Column("suburban_radius_km", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_offices")),
    )
    op.create_table(
        "engineers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("office_code", sa.String(length=16), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("shift_start", sa.Time(), nullable=False),
        sa.Column("shift_end", sa.Time(), nullable=False),
        sa.Column("lunch_start", sa.Time(), nullable=False),
        sa.Column("lunch_minutes", sa.Integer(), nullable=False),
        sa.Column("overtime_cap_minutes", sa.Integer(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("status", _enum(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["offices.code"], name=op.f("fk_engineers_office_code_offices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engineers")),
    )
    op.create_index(op.f("ix_engineers_office_code"), "engineers", ["office_code"])
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_ref", sa.String(length=100), nullable=True),
        sa.Column("office_code", sa.String(length=16), nullable=False),
        sa.Column("customer", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=50), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("product_line", sa.String(length=100), nullable=False),
        sa.Column("product_model", sa.String(length=100), nullable=False),
        sa.Column("fault", sa.Text(), nullable=False),
        sa.Column("kind", _enum(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("remote_failed", sa.Boolean(), nullable=False),
        sa.Column("onsite_minutes", sa.Integer(), nullable=False),
        sa.Column("area_override", _enum(), nullable=True),
        sa.Column("service_area", _enum(), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_rule", _enum(), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", _enum(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("en_route_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["office_code"], ["offices.code"], name=op.f("fk_tickets_office_code_offices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint("source_ref", name=op.f("uq_tickets_source_ref")),
    )
    op.create_index(op.f("ix_tickets_office_code_status"), "tickets", ["office_code", "status"])
    op.create_index(op.f("ix_tickets_called_at"), "tickets", ["called_at"])
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=500), nullable=False),
        sa.Column("plan_date", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("kpis", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint(
            "scope", "plan_date", "version", name=op.f("uq_plans_scope_plan_date_version")
        ),
    )
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("engineer_id", sa.String(length=32), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("arrival_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("departure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("travel_minutes", sa.Integer(), nullable=False),
        sa.Column("travel_km", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_visits_plan_id_plans"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_visits_ticket_id_tickets")
        ),
        sa.ForeignKeyConstraint(
            ["engineer_id"], ["engineers.id"], name=op.f("fk_visits_engineer_id_engineers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
        sa.UniqueConstraint(
            "plan_id",
            "engineer_id",
            "sequence",
            name=op.f("uq_visits_plan_id_engineer_id_sequence"),
        ),
    )
    op.create_index(op.f("ix_visits_ticket_id"), "visits", ["ticket_id"])
    op.create_table(
        "unassigned",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.id"],
            name=op.f("fk_unassigned_plan_id_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_unassigned_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("plan_id", "ticket_id", name=op.f("pk_unassigned")),
    )


def downgrade() -> None:
    op.drop_table("unassigned")
    op.drop_index(op.f("ix_visits_ticket_id"), table_name="visits")
    op.drop_table("visits")
    op.drop_table("plans")
    op.drop_index(op.f("ix_tickets_called_at"), table_name="tickets")
    op.drop_index(op.f("ix_tickets_office_code_status"), table_name="tickets")
    op.drop_table("tickets")
    op.drop_index(op.f("ix_engineers_office_code"), table_name="engineers")
    op.drop_table("engineers")
    op.drop_table("offices")
