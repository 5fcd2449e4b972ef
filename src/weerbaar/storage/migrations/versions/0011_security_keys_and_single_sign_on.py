"""Security keys (WebAuthn challenges on the session), the time a session's owner last
proved who they are (for asking again before sensitive acts), and single sign-on
with OpenID Connect: sign-ins under way and the accounts providers' subjects map to.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("web_sessions") as batch:
        batch.add_column(sa.Column("challenge", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("verified_at", sa.String(length=32), nullable=True))
    op.create_table(
        "oidc_requests",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=128), nullable=False),
        sa.Column("verifier", sa.String(length=128), nullable=False),
        sa.Column("next", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("state_hash", name="pk_oidc_requests"),
    )
    op.create_table(
        "external_identities",
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("last_used_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["username"],
            ["users.username"],
            name="fk_external_identities_username_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("provider", "subject", name="pk_external_identities"),
    )
    op.create_index("ix_external_identities_username", "external_identities", ["username"])


def downgrade() -> None:
    op.drop_index("ix_external_identities_username", "external_identities")
    op.drop_table("external_identities")
    op.drop_table("oidc_requests")
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_column("verified_at")
        batch.drop_column("challenge")
