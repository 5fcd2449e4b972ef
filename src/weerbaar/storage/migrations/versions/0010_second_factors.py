"""Second factors: authenticator apps (TOTP) and one-time recovery codes, and the
stage a browser session is at (signed in fully, or still to give or set up its
second factor). Sessions of the older schema were signed in fully.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("web_sessions") as batch:
        batch.add_column(
            sa.Column("stage", sa.String(length=16), nullable=False, server_default="full")
        )
    with op.batch_alter_table("web_sessions", recreate="always") as batch:
        batch.alter_column("stage", server_default=None)
    op.create_table(
        "second_factors",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("last_step", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("last_used_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["username"],
            ["users.username"],
            name="fk_second_factors_username_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_second_factors"),
    )
    op.create_index("ix_second_factors_username", "second_factors", ["username"])
    op.create_table(
        "recovery_codes",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("used_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["username"],
            ["users.username"],
            name="fk_recovery_codes_username_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("code_hash", name="pk_recovery_codes"),
    )
    op.create_index("ix_recovery_codes_username", "recovery_codes", ["username"])


def downgrade() -> None:
    op.drop_index("ix_recovery_codes_username", "recovery_codes")
    op.drop_table("recovery_codes")
    op.drop_index("ix_second_factors_username", "second_factors")
    op.drop_table("second_factors")
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_column("stage")
