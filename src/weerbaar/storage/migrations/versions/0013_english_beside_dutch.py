"""English text beside the Dutch on the records the published profile needs in both
languages (a scenario's title and narrative, a theme's approach, a measure's title and
description, a threat picture's summary and more), shown to English readers when
present.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 17:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

ENGLISH = {
    "cycles": ("name_en", "description_en"),
    "rounds": ("name_en",),
    "organisations": ("description_en",),
    "themes": ("approach_en", "description_en"),
    "threats": ("description_en",),
    "actors": ("name_en", "description_en"),
    "scenarios": ("title_en", "narrative_en"),
    "capabilities": ("name_en", "description_en"),
    "measures": ("title_en", "description_en"),
    "decisions": ("rationale_en",),
    "threat_pictures": ("title_en", "summary_en"),
    "concretisations": ("goals_en", "note_en"),
    "milestones": ("title_en", "note_en"),
    "capability_needs": ("note_en",),
    "alert_measures": ("title_en", "description_en"),
    "vital_processes": ("name_en",),
}


def upgrade() -> None:
    for table, columns in ENGLISH.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.add_column(sa.Column(column, sa.Text(), nullable=True))


def downgrade() -> None:
    for table, columns in ENGLISH.items():
        with op.batch_alter_table(table) as batch:
            for column in reversed(columns):
                batch.drop_column(column)
