"""Tier rules, decisions beside proposals, concretisations, milestones, capability needs
and measure details (start, budget, legislative review steps).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 00:26:36.065647
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tier_rules",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("cycle", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=32), nullable=False),
        sa.Column("question", sa.Integer(), nullable=False),
        sa.Column("match", sa.String(length=32), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("classification", sa.Text(), nullable=False),
        sa.Column("owned_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_tier_rules_version_positive")),
        sa.ForeignKeyConstraint(
            ["cycle"], ["cycles.key"], name=op.f("fk_tier_rules_cycle_cycles"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["owned_by"],
            ["organisations.key"],
            name=op.f("fk_tier_rules_owned_by_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_tier_rules")),
    )
    with op.batch_alter_table("tier_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tier_rules_cycle"), ["cycle"], unique=False)
        batch_op.create_index(batch_op.f("ix_tier_rules_owned_by"), ["owned_by"], unique=False)

    op.create_table(
        "concretisations",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("theme", sa.String(length=64), nullable=False),
        sa.Column("ministry", sa.String(length=64), nullable=False),
        sa.Column("cycle", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=64), nullable=True),
        sa.Column("goals", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("classification", sa.Text(), nullable=False),
        sa.Column("owned_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_concretisations_version_positive")),
        sa.ForeignKeyConstraint(
            ["cycle"],
            ["cycles.key"],
            name=op.f("fk_concretisations_cycle_cycles"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["decision"],
            ["decisions.key"],
            name=op.f("fk_concretisations_decision_decisions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["ministry"],
            ["organisations.key"],
            name=op.f("fk_concretisations_ministry_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owned_by"],
            ["organisations.key"],
            name=op.f("fk_concretisations_owned_by_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["theme"],
            ["themes.key"],
            name=op.f("fk_concretisations_theme_themes"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_concretisations")),
    )
    with op.batch_alter_table("concretisations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_concretisations_cycle"), ["cycle"], unique=False)
        batch_op.create_index(batch_op.f("ix_concretisations_decision"), ["decision"], unique=False)
        batch_op.create_index(batch_op.f("ix_concretisations_ministry"), ["ministry"], unique=False)
        batch_op.create_index(batch_op.f("ix_concretisations_owned_by"), ["owned_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_concretisations_theme"), ["theme"], unique=False)

    op.create_table(
        "decisions__involved",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["decisions.key"],
            name=op.f("fk_decisions__involved_owner_decisions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_decisions__involved_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_decisions__involved")),
    )
    with op.batch_alter_table("decisions__involved", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions__involved_target"), ["target"], unique=False)

    op.create_table(
        "tier_rules__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["tier_rules.key"],
            name=op.f("fk_tier_rules__shared_with_owner_tier_rules"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_tier_rules__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_tier_rules__shared_with")),
    )
    with op.batch_alter_table("tier_rules__shared_with", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tier_rules__shared_with_target"), ["target"], unique=False
        )

    op.create_table(
        "capability_needs",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("scenario", sa.String(length=64), nullable=False),
        sa.Column("capability", sa.String(length=64), nullable=False),
        sa.Column("needed", sa.Text(), nullable=False),
        sa.Column("current", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("classification", sa.Text(), nullable=False),
        sa.Column("owned_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_capability_needs_version_positive")),
        sa.ForeignKeyConstraint(
            ["capability"],
            ["capabilities.key"],
            name=op.f("fk_capability_needs_capability_capabilities"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owned_by"],
            ["organisations.key"],
            name=op.f("fk_capability_needs_owned_by_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["scenario"],
            ["scenarios.key"],
            name=op.f("fk_capability_needs_scenario_scenarios"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_capability_needs")),
    )
    with op.batch_alter_table("capability_needs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_capability_needs_capability"), ["capability"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_capability_needs_owned_by"), ["owned_by"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_capability_needs_scenario"), ["scenario"], unique=False
        )

    op.create_table(
        "concretisations__measures",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["concretisations.key"],
            name=op.f("fk_concretisations__measures_owner_concretisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["measures.key"],
            name=op.f("fk_concretisations__measures_target_measures"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_concretisations__measures")),
    )
    with op.batch_alter_table("concretisations__measures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_concretisations__measures_target"), ["target"], unique=False
        )

    op.create_table(
        "concretisations__partners",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["concretisations.key"],
            name=op.f("fk_concretisations__partners_owner_concretisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_concretisations__partners_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_concretisations__partners")),
    )
    with op.batch_alter_table("concretisations__partners", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_concretisations__partners_target"), ["target"], unique=False
        )

    op.create_table(
        "concretisations__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["concretisations.key"],
            name=op.f("fk_concretisations__shared_with_owner_concretisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_concretisations__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_concretisations__shared_with")),
    )
    with op.batch_alter_table("concretisations__shared_with", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_concretisations__shared_with_target"), ["target"], unique=False
        )

    op.create_table(
        "milestones",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("measure", sa.String(length=64), nullable=True),
        sa.Column("concretisation", sa.String(length=64), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("classification", sa.Text(), nullable=False),
        sa.Column("owned_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_milestones_version_positive")),
        sa.ForeignKeyConstraint(
            ["concretisation"],
            ["concretisations.key"],
            name=op.f("fk_milestones_concretisation_concretisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["measure"],
            ["measures.key"],
            name=op.f("fk_milestones_measure_measures"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owned_by"],
            ["organisations.key"],
            name=op.f("fk_milestones_owned_by_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_milestones")),
    )
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_milestones_concretisation"), ["concretisation"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_milestones_measure"), ["measure"], unique=False)
        batch_op.create_index(batch_op.f("ix_milestones_owned_by"), ["owned_by"], unique=False)

    op.create_table(
        "capability_needs__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["capability_needs.key"],
            name=op.f("fk_capability_needs__shared_with_owner_capability_needs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_capability_needs__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_capability_needs__shared_with")),
    )
    with op.batch_alter_table("capability_needs__shared_with", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_capability_needs__shared_with_target"), ["target"], unique=False
        )

    op.create_table(
        "milestones__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["milestones.key"],
            name=op.f("fk_milestones__shared_with_owner_milestones"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_milestones__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_milestones__shared_with")),
    )
    with op.batch_alter_table("milestones__shared_with", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_milestones__shared_with_target"), ["target"], unique=False
        )

    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposed_tier", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("proposal_rule", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("proposal_reasons", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("deviation", sa.Text(), nullable=True))

    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("budget", sa.Double(), nullable=True))
        batch_op.add_column(
            sa.Column("practitioners_consulted", sa.String(length=32), nullable=True)
        )
        batch_op.add_column(sa.Column("rule_of_law_review", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("legislative_stage", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.drop_column("legislative_stage")
        batch_op.drop_column("rule_of_law_review")
        batch_op.drop_column("practitioners_consulted")
        batch_op.drop_column("budget")
        batch_op.drop_column("starts_on")

    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("deviation")
        batch_op.drop_column("proposal_reasons")
        batch_op.drop_column("proposal_rule")
        batch_op.drop_column("proposed_tier")

    with op.batch_alter_table("milestones__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestones__shared_with_target"))

    op.drop_table("milestones__shared_with")
    with op.batch_alter_table("capability_needs__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capability_needs__shared_with_target"))

    op.drop_table("capability_needs__shared_with")
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestones_owned_by"))
        batch_op.drop_index(batch_op.f("ix_milestones_measure"))
        batch_op.drop_index(batch_op.f("ix_milestones_concretisation"))

    op.drop_table("milestones")
    with op.batch_alter_table("concretisations__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concretisations__shared_with_target"))

    op.drop_table("concretisations__shared_with")
    with op.batch_alter_table("concretisations__partners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concretisations__partners_target"))

    op.drop_table("concretisations__partners")
    with op.batch_alter_table("concretisations__measures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concretisations__measures_target"))

    op.drop_table("concretisations__measures")
    with op.batch_alter_table("capability_needs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capability_needs_scenario"))
        batch_op.drop_index(batch_op.f("ix_capability_needs_owned_by"))
        batch_op.drop_index(batch_op.f("ix_capability_needs_capability"))

    op.drop_table("capability_needs")
    with op.batch_alter_table("tier_rules__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tier_rules__shared_with_target"))

    op.drop_table("tier_rules__shared_with")
    with op.batch_alter_table("decisions__involved", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions__involved_target"))

    op.drop_table("decisions__involved")
    with op.batch_alter_table("concretisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concretisations_theme"))
        batch_op.drop_index(batch_op.f("ix_concretisations_owned_by"))
        batch_op.drop_index(batch_op.f("ix_concretisations_ministry"))
        batch_op.drop_index(batch_op.f("ix_concretisations_decision"))
        batch_op.drop_index(batch_op.f("ix_concretisations_cycle"))

    op.drop_table("concretisations")
    with op.batch_alter_table("tier_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tier_rules_owned_by"))
        batch_op.drop_index(batch_op.f("ix_tier_rules_cycle"))

    op.drop_table("tier_rules")
