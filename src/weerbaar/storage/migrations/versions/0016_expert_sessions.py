"""Expert sessions: a round's scenarios scored independently by experts, their
submissions per scoring round (Delphi), and the chair's outcome per criterion with its
provenance.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 05:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "expert_sessions",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("round", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("chair", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("scoring_round", sa.Integer(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("concluded_by", sa.String(length=128), nullable=True),
        sa.Column("concluded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('planned', 'scoring', 'discussion', 'concluded')",
            name=op.f("ck_expert_sessions_status_known"),
        ),
        sa.CheckConstraint(
            "scoring_round >= 1", name=op.f("ck_expert_sessions_scoring_round_positive")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_expert_sessions_version_positive")),
        sa.ForeignKeyConstraint(
            ["chair"],
            ["users.username"],
            name=op.f("fk_expert_sessions_chair_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["round"],
            ["rounds.key"],
            name=op.f("fk_expert_sessions_round_rounds"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_expert_sessions")),
    )
    op.create_index(op.f("ix_expert_sessions_chair"), "expert_sessions", ["chair"], unique=False)
    op.create_index(op.f("ix_expert_sessions_round"), "expert_sessions", ["round"], unique=False)
    op.create_table(
        "expert_scores",
        sa.Column("session", sa.String(length=64), nullable=False),
        sa.Column("scenario", sa.String(length=64), nullable=False),
        sa.Column("criterion", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("scoring_round", sa.Integer(), nullable=False),
        sa.Column("expected", sa.String(length=8), nullable=True),
        sa.Column("lowest", sa.String(length=8), nullable=True),
        sa.Column("highest", sa.String(length=8), nullable=True),
        sa.Column("quantity", sa.Double(), nullable=True),
        sa.Column("quantity_low", sa.Double(), nullable=True),
        sa.Column("quantity_high", sa.Double(), nullable=True),
        sa.Column("duration", sa.Double(), nullable=True),
        sa.Column("duration_low", sa.Double(), nullable=True),
        sa.Column("duration_high", sa.Double(), nullable=True),
        sa.Column("probability", sa.Double(), nullable=True),
        sa.Column("probability_low", sa.Double(), nullable=True),
        sa.Column("probability_high", sa.Double(), nullable=True),
        sa.Column("confidence", sa.String(length=8), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "confidence IN ('low', 'medium', 'high')",
            name=op.f("ck_expert_scores_confidence_known"),
        ),
        sa.ForeignKeyConstraint(
            ["scenario"],
            ["scenarios.key"],
            name=op.f("fk_expert_scores_scenario_scenarios"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["session"],
            ["expert_sessions.key"],
            name=op.f("fk_expert_scores_session_expert_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["username"],
            ["users.username"],
            name=op.f("fk_expert_scores_username_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "session",
            "scenario",
            "criterion",
            "username",
            "scoring_round",
            name=op.f("pk_expert_scores"),
        ),
    )
    op.create_table(
        "session_outcomes",
        sa.Column("session", sa.String(length=64), nullable=False),
        sa.Column("scenario", sa.String(length=64), nullable=False),
        sa.Column("criterion", sa.String(length=32), nullable=False),
        sa.Column("expected", sa.String(length=8), nullable=True),
        sa.Column("lowest", sa.String(length=8), nullable=True),
        sa.Column("highest", sa.String(length=8), nullable=True),
        sa.Column("quantity", sa.Double(), nullable=True),
        sa.Column("quantity_low", sa.Double(), nullable=True),
        sa.Column("quantity_high", sa.Double(), nullable=True),
        sa.Column("duration", sa.Double(), nullable=True),
        sa.Column("duration_low", sa.Double(), nullable=True),
        sa.Column("duration_high", sa.Double(), nullable=True),
        sa.Column("probability", sa.Double(), nullable=True),
        sa.Column("probability_low", sa.Double(), nullable=True),
        sa.Column("probability_high", sa.Double(), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("experts", sa.Integer(), nullable=False),
        sa.Column("spread", sa.Integer(), nullable=True),
        sa.Column("aggregate", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scenario"],
            ["scenarios.key"],
            name=op.f("fk_session_outcomes_scenario_scenarios"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["session"],
            ["expert_sessions.key"],
            name=op.f("fk_session_outcomes_session_expert_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "session", "scenario", "criterion", name=op.f("pk_session_outcomes")
        ),
    )
    op.create_table(
        "session_participants",
        sa.Column("session", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("weight", sa.Double(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("weight > 0", name=op.f("ck_session_participants_weight_positive")),
        sa.ForeignKeyConstraint(
            ["session"],
            ["expert_sessions.key"],
            name=op.f("fk_session_participants_session_expert_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["username"],
            ["users.username"],
            name=op.f("fk_session_participants_username_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("session", "username", name=op.f("pk_session_participants")),
    )
    op.create_index(
        op.f("ix_session_participants_username"), "session_participants", ["username"], unique=False
    )
    op.create_table(
        "session_scenarios",
        sa.Column("session", sa.String(length=64), nullable=False),
        sa.Column("scenario", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["scenario"],
            ["scenarios.key"],
            name=op.f("fk_session_scenarios_scenario_scenarios"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["session"],
            ["expert_sessions.key"],
            name=op.f("fk_session_scenarios_session_expert_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session", "scenario", name=op.f("pk_session_scenarios")),
    )
    op.create_index(
        op.f("ix_session_scenarios_scenario"), "session_scenarios", ["scenario"], unique=False
    )
    op.create_table(
        "session_submissions",
        sa.Column("session", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("scoring_round", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session"],
            ["expert_sessions.key"],
            name=op.f("fk_session_submissions_session_expert_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["username"],
            ["users.username"],
            name=op.f("fk_session_submissions_username_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "session", "username", "scoring_round", name=op.f("pk_session_submissions")
        ),
    )


def downgrade() -> None:
    op.drop_table("session_submissions")
    op.drop_index(op.f("ix_session_scenarios_scenario"), table_name="session_scenarios")
    op.drop_table("session_scenarios")
    op.drop_index(op.f("ix_session_participants_username"), table_name="session_participants")
    op.drop_table("session_participants")
    op.drop_table("session_outcomes")
    op.drop_table("expert_scores")
    op.drop_index(op.f("ix_expert_sessions_round"), table_name="expert_sessions")
    op.drop_index(op.f("ix_expert_sessions_chair"), table_name="expert_sessions")
    op.drop_table("expert_sessions")
