"""Need-to-know markings on every record (classification, owner, sharing) and accounts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 15:20:48.438242
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failures_address"), ["address"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failures_username"), ["username"], unique=False)

    op.create_table(
        "organisations__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["organisations.key"],
            name=op.f("fk_organisations__shared_with_owner_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_organisations__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_organisations__shared_with")),
    )
    with op.batch_alter_table("organisations__shared_with", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organisations__shared_with_target"), ["target"], unique=False
        )

    op.create_table(
        "users",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("organisation", sa.String(length=64), nullable=False),
        sa.Column("clearance", sa.String(length=32), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_users_version_positive")),
        sa.ForeignKeyConstraint(
            ["organisation"],
            ["organisations.key"],
            name=op.f("fk_users_organisation_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_users")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_organisation"), ["organisation"], unique=False)

    op.create_table(
        "actors__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["actors.key"],
            name=op.f("fk_actors__shared_with_owner_actors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_actors__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_actors__shared_with")),
    )
    with op.batch_alter_table("actors__shared_with", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actors__shared_with_target"), ["target"], unique=False)

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["username"],
            ["users.username"],
            name=op.f("fk_api_tokens_username_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_username"), ["username"], unique=False)

    op.create_table(
        "capabilities__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["capabilities.key"],
            name=op.f("fk_capabilities__shared_with_owner_capabilities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_capabilities__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_capabilities__shared_with")),
    )
    with op.batch_alter_table("capabilities__shared_with", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_capabilities__shared_with_target"), ["target"], unique=False
        )

    op.create_table(
        "cycles__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["cycles.key"],
            name=op.f("fk_cycles__shared_with_owner_cycles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_cycles__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_cycles__shared_with")),
    )
    with op.batch_alter_table("cycles__shared_with", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cycles__shared_with_target"), ["target"], unique=False)

    op.create_table(
        "themes__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["themes.key"],
            name=op.f("fk_themes__shared_with_owner_themes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_themes__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_themes__shared_with")),
    )
    with op.batch_alter_table("themes__shared_with", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_themes__shared_with_target"), ["target"], unique=False)

    op.create_table(
        "vital_processes__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["vital_processes.key"],
            name=op.f("fk_vital_processes__shared_with_owner_vital_processes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_vital_processes__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_vital_processes__shared_with")),
    )
    with op.batch_alter_table("vital_processes__shared_with", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vital_processes__shared_with_target"), ["target"], unique=False
        )

    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["username"],
            ["users.username"],
            name=op.f("fk_web_sessions_username_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_web_sessions")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_sessions_username"), ["username"], unique=False)

    op.create_table(
        "decisions__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["decisions.key"],
            name=op.f("fk_decisions__shared_with_owner_decisions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_decisions__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_decisions__shared_with")),
    )
    with op.batch_alter_table("decisions__shared_with", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_decisions__shared_with_target"), ["target"], unique=False
        )

    op.create_table(
        "measures__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["measures.key"],
            name=op.f("fk_measures__shared_with_owner_measures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_measures__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_measures__shared_with")),
    )
    with op.batch_alter_table("measures__shared_with", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_measures__shared_with_target"), ["target"], unique=False
        )

    op.create_table(
        "rounds__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["rounds.key"],
            name=op.f("fk_rounds__shared_with_owner_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_rounds__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_rounds__shared_with")),
    )
    with op.batch_alter_table("rounds__shared_with", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rounds__shared_with_target"), ["target"], unique=False)

    op.create_table(
        "signals__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["signals.key"],
            name=op.f("fk_signals__shared_with_owner_signals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_signals__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_signals__shared_with")),
    )
    with op.batch_alter_table("signals__shared_with", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signals__shared_with_target"), ["target"], unique=False
        )

    op.create_table(
        "threat_pictures__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["threat_pictures.key"],
            name=op.f("fk_threat_pictures__shared_with_owner_threat_pictures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_threat_pictures__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_threat_pictures__shared_with")),
    )
    with op.batch_alter_table("threat_pictures__shared_with", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_threat_pictures__shared_with_target"), ["target"], unique=False
        )

    op.create_table(
        "threats__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["threats.key"],
            name=op.f("fk_threats__shared_with_owner_threats"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_threats__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_threats__shared_with")),
    )
    with op.batch_alter_table("threats__shared_with", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_threats__shared_with_target"), ["target"], unique=False
        )

    op.create_table(
        "scenarios__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["scenarios.key"],
            name=op.f("fk_scenarios__shared_with_owner_scenarios"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_scenarios__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_scenarios__shared_with")),
    )
    with op.batch_alter_table("scenarios__shared_with", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scenarios__shared_with_target"), ["target"], unique=False
        )

    op.create_table(
        "impact_scores__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["impact_scores.key"],
            name=op.f("fk_impact_scores__shared_with_owner_impact_scores"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_impact_scores__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_impact_scores__shared_with")),
    )
    with op.batch_alter_table("impact_scores__shared_with", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_impact_scores__shared_with_target"), ["target"], unique=False
        )

    op.create_table(
        "likelihood_scores__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["likelihood_scores.key"],
            name=op.f("fk_likelihood_scores__shared_with_owner_likelihood_scores"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_likelihood_scores__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_likelihood_scores__shared_with")),
    )
    with op.batch_alter_table("likelihood_scores__shared_with", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_likelihood_scores__shared_with_target"), ["target"], unique=False
        )

    with op.batch_alter_table("actors", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("classification", sa.Text(), nullable=False, server_default="public")
        )
        batch_op.add_column(sa.Column("owned_by", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_actors_owned_by"), ["owned_by"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_actors_owned_by_organisations"),
            "organisations",
            ["owned_by"],
            ["key"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("capabilities", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("classification", sa.Text(), nullable=False, server_default="public")
        )
        batch_op.add_column(sa.Column("owned_by", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_capabilities_owned_by"), ["owned_by"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_capabilities_owned_by_organisations"),
            "organisations",
            ["owned_by"],
            ["key"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("cycles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("classification", sa.Text(), nullable=False, server_default="public")
        )
        batch_op.add_column(sa.Column("owned_by", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_cycles_owned_by"), ["owned_by"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_cycles_owned_by_organisations"),
            "organisations",
            ["owned_by"],
            ["key"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("classification", sa.Text(), nullable=False, server_default="public")
        )
        batch_op.add_column(sa.Column("owned_by", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_decisions_owned_by"), ["owned_by"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_decisions_owned_by_organisations"),
            "organisations",
            ["owned_by"],
            ["key"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("impact_scores", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("classification", sa.Text(), nullable=False, server_default="public")
        )
        batch_op.add_column(sa.Column("owned_by", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_impact_scores_owned_by"), ["owned_by"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_impact_scores_owned_by_organisations"),
            "organisations",
            ["owned_by"],
            ["key"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("likelihood_scores", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("classification", sa.Text(), nullable=False, server_default="public")
        )
        batch_op.add_column(sa.Column("owned_by", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_likelihood_scores_owned_by"), ["owned_by"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_likelihood_scores_owned_by_organisations"),
            "organisations",
            ["owned_by"],
            ["key"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("classification", sa.Text(), nullable=False, server_default="public")
        )
        batch_op.add_column(sa.Column("owned_by", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_measures_owned_by"), ["owned_by"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_measures_owned_by_organisations"),
            "organisations",
            ["owned_by"],
            ["key"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("classification", sa.Text(), nullable=False, server_default="public")
        )
        batch_op.add_column(sa.Column("owned_by", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_organisations_owned_by"), ["owned_by"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_organisations_owned_by_organisations"),
            "organisations",
            ["owned_by"],
            ["key"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("classification", sa.Text(), nullable=False, server_default="public")
        )
        batch_op.add_column(sa.Column("owned_by", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_rounds_owned_by"), ["owned_by"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_rounds_owned_by_organisations"),
            "organisations",
            ["owned_by"],
            ["key"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("scenarios", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("classification", sa.Text(), nullable=False, server_default="public")
        )
        batch_op.add_column(sa.Column("owned_by", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_scenarios_owned_by"), ["owned_by"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_scenarios_owned_by_organisations"),
            "organisations",
            ["owned_by"],
            ["key"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("classification", sa.Text(), nullable=False, server_default="public")
        )
        batch_op.add_column(sa.Column("owned_by", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_signals_owned_by"), ["owned_by"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_signals_owned_by_organisations"),
            "organisations",
            ["owned_by"],
            ["key"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("classification", sa.Text(), nullable=False, server_default="public")
        )
        batch_op.add_column(sa.Column("owned_by", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_themes_owned_by"), ["owned_by"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_themes_owned_by_organisations"),
            "organisations",
            ["owned_by"],
            ["key"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("threat_pictures", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("classification", sa.Text(), nullable=False, server_default="public")
        )
        batch_op.add_column(sa.Column("owned_by", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_threat_pictures_owned_by"), ["owned_by"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_threat_pictures_owned_by_organisations"),
            "organisations",
            ["owned_by"],
            ["key"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("threats", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("classification", sa.Text(), nullable=False, server_default="public")
        )
        batch_op.add_column(sa.Column("owned_by", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_threats_owned_by"), ["owned_by"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_threats_owned_by_organisations"),
            "organisations",
            ["owned_by"],
            ["key"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("vital_processes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("classification", sa.Text(), nullable=False, server_default="public")
        )
        batch_op.add_column(sa.Column("owned_by", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_vital_processes_owned_by"), ["owned_by"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_vital_processes_owned_by_organisations"),
            "organisations",
            ["owned_by"],
            ["key"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    with op.batch_alter_table("vital_processes", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_vital_processes_owned_by_organisations"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_vital_processes_owned_by"))
        batch_op.drop_column("owned_by")
        batch_op.drop_column("classification")

    with op.batch_alter_table("threats", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_threats_owned_by_organisations"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_threats_owned_by"))
        batch_op.drop_column("owned_by")
        batch_op.drop_column("classification")

    with op.batch_alter_table("threat_pictures", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_threat_pictures_owned_by_organisations"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_threat_pictures_owned_by"))
        batch_op.drop_column("owned_by")
        batch_op.drop_column("classification")

    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_themes_owned_by_organisations"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_themes_owned_by"))
        batch_op.drop_column("owned_by")
        batch_op.drop_column("classification")

    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_signals_owned_by_organisations"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_signals_owned_by"))
        batch_op.drop_column("owned_by")
        batch_op.drop_column("classification")

    with op.batch_alter_table("scenarios", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_scenarios_owned_by_organisations"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_scenarios_owned_by"))
        batch_op.drop_column("owned_by")
        batch_op.drop_column("classification")

    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_rounds_owned_by_organisations"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_rounds_owned_by"))
        batch_op.drop_column("owned_by")
        batch_op.drop_column("classification")

    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_organisations_owned_by_organisations"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_organisations_owned_by"))
        batch_op.drop_column("owned_by")
        batch_op.drop_column("classification")

    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_measures_owned_by_organisations"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_measures_owned_by"))
        batch_op.drop_column("owned_by")
        batch_op.drop_column("classification")

    with op.batch_alter_table("likelihood_scores", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_likelihood_scores_owned_by_organisations"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_likelihood_scores_owned_by"))
        batch_op.drop_column("owned_by")
        batch_op.drop_column("classification")

    with op.batch_alter_table("impact_scores", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_impact_scores_owned_by_organisations"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_impact_scores_owned_by"))
        batch_op.drop_column("owned_by")
        batch_op.drop_column("classification")

    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_decisions_owned_by_organisations"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_decisions_owned_by"))
        batch_op.drop_column("owned_by")
        batch_op.drop_column("classification")

    with op.batch_alter_table("cycles", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_cycles_owned_by_organisations"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_cycles_owned_by"))
        batch_op.drop_column("owned_by")
        batch_op.drop_column("classification")

    with op.batch_alter_table("capabilities", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_capabilities_owned_by_organisations"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_capabilities_owned_by"))
        batch_op.drop_column("owned_by")
        batch_op.drop_column("classification")

    with op.batch_alter_table("actors", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_actors_owned_by_organisations"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_actors_owned_by"))
        batch_op.drop_column("owned_by")
        batch_op.drop_column("classification")

    with op.batch_alter_table("likelihood_scores__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_likelihood_scores__shared_with_target"))

    op.drop_table("likelihood_scores__shared_with")
    with op.batch_alter_table("impact_scores__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_impact_scores__shared_with_target"))

    op.drop_table("impact_scores__shared_with")
    with op.batch_alter_table("scenarios__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scenarios__shared_with_target"))

    op.drop_table("scenarios__shared_with")
    with op.batch_alter_table("threats__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_threats__shared_with_target"))

    op.drop_table("threats__shared_with")
    with op.batch_alter_table("threat_pictures__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_threat_pictures__shared_with_target"))

    op.drop_table("threat_pictures__shared_with")
    with op.batch_alter_table("signals__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signals__shared_with_target"))

    op.drop_table("signals__shared_with")
    with op.batch_alter_table("rounds__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rounds__shared_with_target"))

    op.drop_table("rounds__shared_with")
    with op.batch_alter_table("measures__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measures__shared_with_target"))

    op.drop_table("measures__shared_with")
    with op.batch_alter_table("decisions__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions__shared_with_target"))

    op.drop_table("decisions__shared_with")
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_username"))

    op.drop_table("web_sessions")
    with op.batch_alter_table("vital_processes__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vital_processes__shared_with_target"))

    op.drop_table("vital_processes__shared_with")
    with op.batch_alter_table("themes__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_themes__shared_with_target"))

    op.drop_table("themes__shared_with")
    with op.batch_alter_table("cycles__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cycles__shared_with_target"))

    op.drop_table("cycles__shared_with")
    with op.batch_alter_table("capabilities__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capabilities__shared_with_target"))

    op.drop_table("capabilities__shared_with")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_username"))

    op.drop_table("api_tokens")
    with op.batch_alter_table("actors__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actors__shared_with_target"))

    op.drop_table("actors__shared_with")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_organisation"))

    op.drop_table("users")
    with op.batch_alter_table("organisations__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisations__shared_with_target"))

    op.drop_table("organisations__shared_with")
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failures_username"))
        batch_op.drop_index(batch_op.f("ix_login_failures_address"))

    op.drop_table("login_failures")
