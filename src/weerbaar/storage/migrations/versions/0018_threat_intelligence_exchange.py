"""Sources that are polled for signals (TAXII collections, MISP feeds, web feeds) with
their polling state, and what MISP galaxies and ATT&CK say of an actor: synonyms,
suspected sponsor, target sectors, victims, references and its UUID there.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 22:45:55
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("auth", sa.String(length=32), nullable=True),
        sa.Column("username", sa.Text(), nullable=True),
        sa.Column("secret_env", sa.Text(), nullable=True),
        sa.Column("secret_file", sa.Text(), nullable=True),
        sa.Column("interval_minutes", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=32), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("classification", sa.Text(), nullable=False),
        sa.Column("owned_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_sources_version_positive")),
        sa.ForeignKeyConstraint(
            ["owned_by"],
            ["organisations.key"],
            name=op.f("fk_sources_owned_by_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sources")),
    )
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sources_owned_by"), ["owned_by"], unique=False)

    op.create_table(
        "source_states",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("last_poll", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_poll", sa.DateTime(timezone=True), nullable=True),
        sa.Column("items_taken", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source"],
            ["sources.key"],
            name=op.f("fk_source_states_source_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_source_states")),
    )
    op.create_table(
        "sources__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["sources.key"],
            name=op.f("fk_sources__shared_with_owner_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_sources__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_sources__shared_with")),
    )
    with op.batch_alter_table("sources__shared_with", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sources__shared_with_target"), ["target"], unique=False
        )

    with op.batch_alter_table("actors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("synonyms", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("sponsor", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("target_sectors", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("victims", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("references", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("external_id", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("actors", schema=None) as batch_op:
        batch_op.drop_column("external_id")
        batch_op.drop_column("references")
        batch_op.drop_column("victims")
        batch_op.drop_column("target_sectors")
        batch_op.drop_column("sponsor")
        batch_op.drop_column("synonyms")

    with op.batch_alter_table("sources__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sources__shared_with_target"))

    op.drop_table("sources__shared_with")
    op.drop_table("source_states")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sources_owned_by"))

    op.drop_table("sources")
