"""Horizon scanning: a signal's kind, the source's own id, the fingerprint of its
text, the first report it repeats, who set its theme and how sure the model was, the
actors and scenarios it names; alerts of growing themes and possible new threats
with their signals and the scenarios to reassess.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 10:37:39.037176
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("theme", sa.String(length=64), nullable=True),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("detected_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("round", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("classification", sa.Text(), nullable=False),
        sa.Column("owned_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_alerts_version_positive")),
        sa.ForeignKeyConstraint(
            ["owned_by"],
            ["organisations.key"],
            name=op.f("fk_alerts_owned_by_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["round"], ["rounds.key"], name=op.f("fk_alerts_round_rounds"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["theme"], ["themes.key"], name=op.f("fk_alerts_theme_themes"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_alerts")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alerts_owned_by"), ["owned_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_alerts_round"), ["round"], unique=False)
        batch_op.create_index(batch_op.f("ix_alerts_theme"), ["theme"], unique=False)

    op.create_table(
        "signals__actors",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["signals.key"],
            name=op.f("fk_signals__actors_owner_signals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["actors.key"],
            name=op.f("fk_signals__actors_target_actors"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_signals__actors")),
    )
    with op.batch_alter_table("signals__actors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signals__actors_target"), ["target"], unique=False)

    op.create_table(
        "alerts__scenarios",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["alerts.key"],
            name=op.f("fk_alerts__scenarios_owner_alerts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["scenarios.key"],
            name=op.f("fk_alerts__scenarios_target_scenarios"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_alerts__scenarios")),
    )
    with op.batch_alter_table("alerts__scenarios", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alerts__scenarios_target"), ["target"], unique=False)

    op.create_table(
        "alerts__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["alerts.key"],
            name=op.f("fk_alerts__shared_with_owner_alerts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_alerts__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_alerts__shared_with")),
    )
    with op.batch_alter_table("alerts__shared_with", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alerts__shared_with_target"), ["target"], unique=False)

    op.create_table(
        "alerts__signals",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["alerts.key"],
            name=op.f("fk_alerts__signals_owner_alerts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["signals.key"],
            name=op.f("fk_alerts__signals_target_signals"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_alerts__signals")),
    )
    with op.batch_alter_table("alerts__signals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alerts__signals_target"), ["target"], unique=False)

    op.create_table(
        "signals__scenarios",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["signals.key"],
            name=op.f("fk_signals__scenarios_owner_signals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["scenarios.key"],
            name=op.f("fk_signals__scenarios_target_scenarios"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_signals__scenarios")),
    )
    with op.batch_alter_table("signals__scenarios", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signals__scenarios_target"), ["target"], unique=False)

    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("external_id", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("fingerprint", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("duplicate_of", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("theme_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("theme_confidence", sa.Double(), nullable=True))
        batch_op.create_index(batch_op.f("ix_signals_duplicate_of"), ["duplicate_of"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_signals_duplicate_of_signals"),
            "signals",
            ["duplicate_of"],
            ["key"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_signals_duplicate_of_signals"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_signals_duplicate_of"))
        batch_op.drop_column("theme_confidence")
        batch_op.drop_column("theme_by")
        batch_op.drop_column("duplicate_of")
        batch_op.drop_column("fingerprint")
        batch_op.drop_column("external_id")
        batch_op.drop_column("kind")

    with op.batch_alter_table("signals__scenarios", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signals__scenarios_target"))

    op.drop_table("signals__scenarios")
    with op.batch_alter_table("alerts__signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts__signals_target"))

    op.drop_table("alerts__signals")
    with op.batch_alter_table("alerts__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts__shared_with_target"))

    op.drop_table("alerts__shared_with")
    with op.batch_alter_table("alerts__scenarios", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts__scenarios_target"))

    op.drop_table("alerts__scenarios")
    with op.batch_alter_table("signals__actors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signals__actors_target"))

    op.drop_table("signals__actors")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_theme"))
        batch_op.drop_index(batch_op.f("ix_alerts_round"))
        batch_op.drop_index(batch_op.f("ix_alerts_owned_by"))

    op.drop_table("alerts")
