"""Impact and likelihood scores per round, and longer audit keys for them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 10:33:23.686673
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "impact_scores",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("round", sa.String(length=64), nullable=False),
        sa.Column("scenario", sa.String(length=64), nullable=False),
        sa.Column("criterion", sa.Text(), nullable=False),
        sa.Column("expected", sa.Text(), nullable=True),
        sa.Column("lowest", sa.Text(), nullable=True),
        sa.Column("highest", sa.Text(), nullable=True),
        sa.Column("quantity", sa.Double(), nullable=True),
        sa.Column("quantity_low", sa.Double(), nullable=True),
        sa.Column("quantity_high", sa.Double(), nullable=True),
        sa.Column("duration", sa.Double(), nullable=True),
        sa.Column("duration_low", sa.Double(), nullable=True),
        sa.Column("duration_high", sa.Double(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_impact_scores_version_positive")),
        sa.ForeignKeyConstraint(
            ["round"],
            ["rounds.key"],
            name=op.f("fk_impact_scores_round_rounds"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["scenario"],
            ["scenarios.key"],
            name=op.f("fk_impact_scores_scenario_scenarios"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_impact_scores")),
    )
    with op.batch_alter_table("impact_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_impact_scores_round"), ["round"], unique=False)
        batch_op.create_index(batch_op.f("ix_impact_scores_scenario"), ["scenario"], unique=False)

    op.create_table(
        "likelihood_scores",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("round", sa.String(length=64), nullable=False),
        sa.Column("scenario", sa.String(length=64), nullable=False),
        sa.Column("expected", sa.Text(), nullable=True),
        sa.Column("lowest", sa.Text(), nullable=True),
        sa.Column("highest", sa.Text(), nullable=True),
        sa.Column("probability", sa.Double(), nullable=True),
        sa.Column("probability_low", sa.Double(), nullable=True),
        sa.Column("probability_high", sa.Double(), nullable=True),
        sa.Column("horizon_years", sa.Double(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_likelihood_scores_version_positive")),
        sa.ForeignKeyConstraint(
            ["round"],
            ["rounds.key"],
            name=op.f("fk_likelihood_scores_round_rounds"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["scenario"],
            ["scenarios.key"],
            name=op.f("fk_likelihood_scores_scenario_scenarios"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_likelihood_scores")),
    )
    with op.batch_alter_table("likelihood_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_likelihood_scores_round"), ["round"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_likelihood_scores_scenario"), ["scenario"], unique=False
        )

    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.alter_column(
            "key",
            existing_type=sa.VARCHAR(length=64),
            type_=sa.String(length=200),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.alter_column(
            "key",
            existing_type=sa.String(length=200),
            type_=sa.VARCHAR(length=64),
            existing_nullable=False,
        )

    with op.batch_alter_table("likelihood_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_likelihood_scores_scenario"))
        batch_op.drop_index(batch_op.f("ix_likelihood_scores_round"))

    op.drop_table("likelihood_scores")
    with op.batch_alter_table("impact_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_impact_scores_scenario"))
        batch_op.drop_index(batch_op.f("ix_impact_scores_round"))

    op.drop_table("impact_scores")
