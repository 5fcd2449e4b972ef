"""Sessions that can be listed and ended, and API tokens with a scope and an expiry.

A session gets a public id (the page that lists sessions names it by that, never by
its cookie's hash), the time of its last request (for the idle time-out), and the
address and device it was started from. Sessions of the older schema know none of
these: they end, and their users sign in again.

An API token gets a scope ("read", or "write", which reads too), an expiry, and the
time and address of its last use. Tokens of the older schema could write and never
expired: they keep writing and expire a year after they were made.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OLD_TOKEN_LIFETIME = dt.timedelta(days=365)


def _expiry(created_at: str) -> str:
    try:
        made = dt.datetime.fromisoformat(created_at)
    except ValueError:
        made = dt.datetime.now(dt.UTC)
    if made.tzinfo is None:
        made = made.replace(tzinfo=dt.UTC)
    return (made + OLD_TOKEN_LIFETIME).astimezone(dt.UTC).isoformat(timespec="microseconds")


def upgrade() -> None:
    op.execute(sa.text("DELETE FROM web_sessions"))
    with op.batch_alter_table("web_sessions", recreate="always") as batch:
        batch.add_column(sa.Column("id", sa.String(length=16), nullable=False))
        batch.add_column(sa.Column("last_seen_at", sa.String(length=32), nullable=False))
        batch.add_column(sa.Column("address", sa.String(length=64), nullable=False))
        batch.add_column(sa.Column("device", sa.String(length=200), nullable=False))
        batch.create_unique_constraint("uq_web_sessions_id", ["id"])

    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(
            sa.Column("scope", sa.String(length=8), nullable=False, server_default="write")
        )
        batch.add_column(sa.Column("expires_at", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("last_used_at", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("last_used_address", sa.String(length=64), nullable=True))
    tokens = sa.table(
        "api_tokens",
        sa.column("id", sa.String),
        sa.column("created_at", sa.String),
        sa.column("expires_at", sa.String),
    )
    connection = op.get_bind()
    for token_id, created_at in connection.execute(sa.select(tokens.c.id, tokens.c.created_at)):
        connection.execute(
            sa.update(tokens).where(tokens.c.id == token_id).values(expires_at=_expiry(created_at))
        )
    with op.batch_alter_table("api_tokens", recreate="always") as batch:
        batch.alter_column("scope", server_default=None)
        batch.alter_column("expires_at", existing_type=sa.String(length=32), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("last_used_address")
        batch.drop_column("last_used_at")
        batch.drop_column("expires_at")
        batch.drop_column("scope")
    op.execute(sa.text("DELETE FROM web_sessions"))
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_constraint("uq_web_sessions_id", type_="unique")
        batch.drop_column("device")
        batch.drop_column("address")
        batch.drop_column("last_seen_at")
        batch.drop_column("id")
