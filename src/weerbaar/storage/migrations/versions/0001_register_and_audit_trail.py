"""The register's entity tables, their link tables and the audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-28 10:08:39.868261
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "actors",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("country", sa.Text(), nullable=True),
        sa.Column("intent", sa.String(length=32), nullable=False),
        sa.Column("capability", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_actors_version_positive")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_actors")),
    )
    op.create_table(
        "audit_entries",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_entries")),
    )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '" + "0" * 64 + "')")
    op.create_table(
        "cycles",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_cycles_version_positive")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_cycles")),
    )
    op.create_table(
        "organisations",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column("abbreviation", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("parent", sa.String(length=64), nullable=True),
        sa.Column("country", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_organisations_version_positive")),
        sa.ForeignKeyConstraint(
            ["parent"],
            ["organisations.key"],
            name=op.f("fk_organisations_parent_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_organisations")),
    )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisations_parent"), ["parent"], unique=False)

    op.create_table(
        "capabilities",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("phase", sa.String(length=32), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_capabilities_version_positive")),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["organisations.key"],
            name=op.f("fk_capabilities_owner_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_capabilities")),
    )
    with op.batch_alter_table("capabilities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_capabilities_owner"), ["owner"], unique=False)

    op.create_table(
        "rounds",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("cycle", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("edition", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_rounds_version_positive")),
        sa.ForeignKeyConstraint(
            ["cycle"], ["cycles.key"], name=op.f("fk_rounds_cycle_cycles"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rounds")),
    )
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rounds_cycle"), ["cycle"], unique=False)

    op.create_table(
        "themes",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("tier", sa.String(length=32), nullable=False),
        sa.Column("lead", sa.String(length=64), nullable=True),
        sa.Column("approach", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_themes_version_positive")),
        sa.ForeignKeyConstraint(
            ["lead"],
            ["organisations.key"],
            name=op.f("fk_themes_lead_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_themes")),
    )
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_themes_lead"), ["lead"], unique=False)

    op.create_table(
        "vital_processes",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("sector", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("operator", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_vital_processes_version_positive")),
        sa.ForeignKeyConstraint(
            ["operator"],
            ["organisations.key"],
            name=op.f("fk_vital_processes_operator_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_vital_processes")),
    )
    with op.batch_alter_table("vital_processes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vital_processes_operator"), ["operator"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("theme", sa.String(length=64), nullable=False),
        sa.Column("tier", sa.String(length=32), nullable=False),
        sa.Column("cycle", sa.String(length=64), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=False),
        sa.Column("lead", sa.String(length=64), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_decisions_version_positive")),
        sa.ForeignKeyConstraint(
            ["cycle"], ["cycles.key"], name=op.f("fk_decisions_cycle_cycles"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["lead"],
            ["organisations.key"],
            name=op.f("fk_decisions_lead_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["theme"], ["themes.key"], name=op.f("fk_decisions_theme_themes"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_decisions")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_cycle"), ["cycle"], unique=False)
        batch_op.create_index(batch_op.f("ix_decisions_lead"), ["lead"], unique=False)
        batch_op.create_index(batch_op.f("ix_decisions_theme"), ["theme"], unique=False)

    op.create_table(
        "measures",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("theme", sa.String(length=64), nullable=True),
        sa.Column("phase", sa.String(length=32), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_measures_version_positive")),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["organisations.key"],
            name=op.f("fk_measures_owner_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["theme"], ["themes.key"], name=op.f("fk_measures_theme_themes"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_measures")),
    )
    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measures_owner"), ["owner"], unique=False)
        batch_op.create_index(batch_op.f("ix_measures_theme"), ["theme"], unique=False)

    op.create_table(
        "signals",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=32), nullable=False),
        sa.Column("theme", sa.String(length=64), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_signals_version_positive")),
        sa.ForeignKeyConstraint(
            ["theme"], ["themes.key"], name=op.f("fk_signals_theme_themes"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_signals")),
    )
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signals_theme"), ["theme"], unique=False)

    op.create_table(
        "threat_pictures",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("theme", sa.String(length=64), nullable=True),
        sa.Column("sector", sa.Text(), nullable=True),
        sa.Column("issuer", sa.String(length=64), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_threat_pictures_version_positive")),
        sa.ForeignKeyConstraint(
            ["issuer"],
            ["organisations.key"],
            name=op.f("fk_threat_pictures_issuer_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["theme"],
            ["themes.key"],
            name=op.f("fk_threat_pictures_theme_themes"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_threat_pictures")),
    )
    with op.batch_alter_table("threat_pictures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_threat_pictures_issuer"), ["issuer"], unique=False)
        batch_op.create_index(batch_op.f("ix_threat_pictures_theme"), ["theme"], unique=False)

    op.create_table(
        "threats",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("theme", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_threats_version_positive")),
        sa.ForeignKeyConstraint(
            ["theme"], ["themes.key"], name=op.f("fk_threats_theme_themes"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_threats")),
    )
    with op.batch_alter_table("threats", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_threats_theme"), ["theme"], unique=False)

    op.create_table(
        "measures__capabilities",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["measures.key"],
            name=op.f("fk_measures__capabilities_owner_measures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["capabilities.key"],
            name=op.f("fk_measures__capabilities_target_capabilities"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_measures__capabilities")),
    )
    with op.batch_alter_table("measures__capabilities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_measures__capabilities_target"), ["target"], unique=False
        )

    op.create_table(
        "measures__partners",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["measures.key"],
            name=op.f("fk_measures__partners_owner_measures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_measures__partners_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_measures__partners")),
    )
    with op.batch_alter_table("measures__partners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measures__partners_target"), ["target"], unique=False)

    op.create_table(
        "scenarios",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("theme", sa.String(length=64), nullable=False),
        sa.Column("threat", sa.String(length=64), nullable=True),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("horizon_years", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_scenarios_version_positive")),
        sa.ForeignKeyConstraint(
            ["theme"], ["themes.key"], name=op.f("fk_scenarios_theme_themes"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["threat"],
            ["threats.key"],
            name=op.f("fk_scenarios_threat_threats"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_scenarios")),
    )
    with op.batch_alter_table("scenarios", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scenarios_theme"), ["theme"], unique=False)
        batch_op.create_index(batch_op.f("ix_scenarios_threat"), ["threat"], unique=False)

    op.create_table(
        "measures__scenarios",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["measures.key"],
            name=op.f("fk_measures__scenarios_owner_measures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["scenarios.key"],
            name=op.f("fk_measures__scenarios_target_scenarios"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_measures__scenarios")),
    )
    with op.batch_alter_table("measures__scenarios", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measures__scenarios_target"), ["target"], unique=False)

    op.create_table(
        "scenarios__actors",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["scenarios.key"],
            name=op.f("fk_scenarios__actors_owner_scenarios"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["actors.key"],
            name=op.f("fk_scenarios__actors_target_actors"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_scenarios__actors")),
    )
    with op.batch_alter_table("scenarios__actors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scenarios__actors_target"), ["target"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("scenarios__actors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scenarios__actors_target"))

    op.drop_table("scenarios__actors")
    with op.batch_alter_table("measures__scenarios", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measures__scenarios_target"))

    op.drop_table("measures__scenarios")
    with op.batch_alter_table("scenarios", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scenarios_threat"))
        batch_op.drop_index(batch_op.f("ix_scenarios_theme"))

    op.drop_table("scenarios")
    with op.batch_alter_table("measures__partners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measures__partners_target"))

    op.drop_table("measures__partners")
    with op.batch_alter_table("measures__capabilities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measures__capabilities_target"))

    op.drop_table("measures__capabilities")
    with op.batch_alter_table("threats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_threats_theme"))

    op.drop_table("threats")
    with op.batch_alter_table("threat_pictures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_threat_pictures_theme"))
        batch_op.drop_index(batch_op.f("ix_threat_pictures_issuer"))

    op.drop_table("threat_pictures")
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signals_theme"))

    op.drop_table("signals")
    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measures_theme"))
        batch_op.drop_index(batch_op.f("ix_measures_owner"))

    op.drop_table("measures")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_theme"))
        batch_op.drop_index(batch_op.f("ix_decisions_lead"))
        batch_op.drop_index(batch_op.f("ix_decisions_cycle"))

    op.drop_table("decisions")
    with op.batch_alter_table("vital_processes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vital_processes_operator"))

    op.drop_table("vital_processes")
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_themes_lead"))

    op.drop_table("themes")
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rounds_cycle"))

    op.drop_table("rounds")
    with op.batch_alter_table("capabilities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capabilities_owner"))

    op.drop_table("capabilities")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisations_parent"))

    op.drop_table("organisations")
    op.drop_table("cycles")
    op.drop_table("audit_head")
    op.drop_table("audit_entries")
    op.drop_table("actors")
