"""Tier rules combine their conditions in one expression (all/any/not, nested), so a
rule's 'match' is only kept for rules of the older form, whose conditions are a list
separated by ';'. Their text is left as it was written: weerbaar reads both forms, and
the audit trail keeps what people wrote.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 03:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tier_rules", schema=None) as batch_op:
        batch_op.alter_column("match", existing_type=sa.String(length=32), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE tier_rules SET match = 'all' WHERE match IS NULL")
    with op.batch_alter_table("tier_rules", schema=None) as batch_op:
        batch_op.alter_column("match", existing_type=sa.String(length=32), nullable=False)
