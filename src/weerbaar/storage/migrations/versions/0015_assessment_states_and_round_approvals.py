"""Review and sign-off: where each scenario's assessment in a round stands (draft, in
session, concluded, reviewed, approved), and the rounds approved as a whole, which
are locked until reopened. Scenarios of the older schema are drafts; no round is
approved.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessment_states",
        sa.Column("round", sa.String(length=64), nullable=False),
        sa.Column("scenario", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("changed_by", sa.String(length=128), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'in_session', 'concluded', 'reviewed', 'approved')",
            name=op.f("ck_assessment_states_status_known"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_assessment_states_version_positive")),
        sa.ForeignKeyConstraint(
            ["round"],
            ["rounds.key"],
            name="fk_assessment_states_round_rounds",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scenario"],
            ["scenarios.key"],
            name="fk_assessment_states_scenario_scenarios",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round", "scenario", name="pk_assessment_states"),
    )
    op.create_index("ix_assessment_states_scenario", "assessment_states", ["scenario"])
    op.create_table(
        "round_approvals",
        sa.Column("round", sa.String(length=64), nullable=False),
        sa.Column("approved_by", sa.String(length=128), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round"],
            ["rounds.key"],
            name="fk_round_approvals_round_rounds",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round", name="pk_round_approvals"),
    )


def downgrade() -> None:
    op.drop_table("round_approvals")
    op.drop_index("ix_assessment_states_scenario", "assessment_states")
    op.drop_table("assessment_states")
