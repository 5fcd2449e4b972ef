"""The language each notification channel's e-mails are written in, and the language
of each queued notification's subject and text. Channels and notifications made
before were in English, and keep it until an administrator chooses Dutch.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 10:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLES = ("notification_channels", "notifications")


def upgrade() -> None:
    for table in TABLES:
        # The default fills the rows there are, and is then dropped: a new row names
        # its language.
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("language", sa.String(length=8), nullable=False, server_default="en")
            )
        with op.batch_alter_table(table) as batch:
            batch.alter_column("language", existing_type=sa.String(length=8), server_default=None)
    with op.batch_alter_table("notification_channels") as batch:
        batch.create_check_constraint(
            op.f("ck_notification_channels_language_known"), "language IN ('nl', 'en')"
        )


def downgrade() -> None:
    with op.batch_alter_table("notification_channels") as batch:
        batch.drop_constraint(op.f("ck_notification_channels_language_known"), type_="check")
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("language")
