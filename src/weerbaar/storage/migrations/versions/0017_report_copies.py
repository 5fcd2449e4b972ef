"""The copies of the national risk profile, numbered: each classified copy carries its
number and its recipient on every page, and is kept here with its file's hash.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_copies",
        sa.Column("number", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("round", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.Column("marking", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("made_by", sa.String(length=128), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("number", name="pk_report_copies"),
    )
    op.create_index("ix_report_copies_round", "report_copies", ["round"])


def downgrade() -> None:
    op.drop_index("ix_report_copies_round", "report_copies")
    op.drop_table("report_copies")
