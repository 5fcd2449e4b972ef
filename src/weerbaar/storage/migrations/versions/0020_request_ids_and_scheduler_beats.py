"""Audit entries name the request that made them (the id its log lines carry), and
each background scheduler (notification delivery, source polling) records when it
last completed a round, so readiness can tell whether the schedulers still run.

The request id is added with ADD COLUMN, not a batch rebuild: rebuilding the audit
table on SQLite would drop its append-only triggers.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_entries", sa.Column("request_id", sa.String(length=64), nullable=True))
    op.create_table(
        "scheduler_beats",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("interval_seconds", sa.Double(), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_beats")),
    )


def downgrade() -> None:
    op.drop_table("scheduler_beats")
    op.drop_column("audit_entries", "request_id")
