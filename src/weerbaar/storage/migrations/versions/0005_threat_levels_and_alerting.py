"""Threat levels: pictures with a scope, a time and a rationale; measures agreed in
advance per level; each scope's current level; the measures' activations; and the
notification outbox with its channels. The level scale of a picture is data now, so
its column is text.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 04:02:30.932795
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_measures",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("scale", sa.Text(), nullable=False),
        sa.Column("sector", sa.Text(), nullable=True),
        sa.Column("from_level", sa.Integer(), nullable=False),
        sa.Column("organisation", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("classification", sa.Text(), nullable=False),
        sa.Column("owned_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_alert_measures_version_positive")),
        sa.ForeignKeyConstraint(
            ["organisation"],
            ["organisations.key"],
            name=op.f("fk_alert_measures_organisation_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owned_by"],
            ["organisations.key"],
            name=op.f("fk_alert_measures_owned_by_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_alert_measures")),
    )
    with op.batch_alter_table("alert_measures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alert_measures_organisation"), ["organisation"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_alert_measures_owned_by"), ["owned_by"], unique=False)

    op.create_table(
        "notification_channels",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organisation", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('email', 'webhook')", name=op.f("ck_notification_channels_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["organisation"],
            ["organisations.key"],
            name=op.f("fk_notification_channels_organisation_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_channels")),
    )
    with op.batch_alter_table("notification_channels", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notification_channels_organisation"), ["organisation"], unique=False
        )

    op.create_table(
        "alert_measures__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["alert_measures.key"],
            name=op.f("fk_alert_measures__shared_with_owner_alert_measures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_alert_measures__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_alert_measures__shared_with")),
    )
    with op.batch_alter_table("alert_measures__shared_with", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alert_measures__shared_with_target"), ["target"], unique=False
        )

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=True),
        sa.Column("organisation", sa.String(length=64), nullable=False),
        sa.Column("change", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'dead')", name=op.f("ck_notifications_status_known")
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_notifications_attempts_not_negative")),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["notification_channels.id"],
            name=op.f("fk_notifications_channel_id_notification_channels"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notifications_channel_id"), ["channel_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_notifications_organisation"), ["organisation"], unique=False
        )
        batch_op.create_index(
            "ix_notifications_status_next_attempt_at", ["status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "level_states",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("scale", sa.Text(), nullable=False),
        sa.Column("sector", sa.Text(), nullable=True),
        sa.Column("region", sa.Text(), nullable=True),
        sa.Column("site", sa.Text(), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("picture", sa.String(length=64), nullable=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("theme", sa.String(length=64), nullable=True),
        sa.Column("classification", sa.Text(), nullable=False),
        sa.Column("owned_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_level_states_version_positive")),
        sa.ForeignKeyConstraint(
            ["owned_by"],
            ["organisations.key"],
            name=op.f("fk_level_states_owned_by_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["picture"],
            ["threat_pictures.key"],
            name=op.f("fk_level_states_picture_threat_pictures"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["theme"],
            ["themes.key"],
            name=op.f("fk_level_states_theme_themes"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_level_states")),
    )
    with op.batch_alter_table("level_states", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_level_states_owned_by"), ["owned_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_level_states_picture"), ["picture"], unique=False)
        batch_op.create_index(batch_op.f("ix_level_states_theme"), ["theme"], unique=False)

    op.create_table(
        "activations",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("measure", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("activated_by", sa.String(length=64), nullable=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_by", sa.String(length=64), nullable=True),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("classification", sa.Text(), nullable=False),
        sa.Column("owned_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_activations_version_positive")),
        sa.ForeignKeyConstraint(
            ["activated_by"],
            ["threat_pictures.key"],
            name=op.f("fk_activations_activated_by_threat_pictures"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["ended_by"],
            ["threat_pictures.key"],
            name=op.f("fk_activations_ended_by_threat_pictures"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["measure"],
            ["alert_measures.key"],
            name=op.f("fk_activations_measure_alert_measures"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owned_by"],
            ["organisations.key"],
            name=op.f("fk_activations_owned_by_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["state"],
            ["level_states.key"],
            name=op.f("fk_activations_state_level_states"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_activations")),
    )
    with op.batch_alter_table("activations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activations_activated_by"), ["activated_by"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_activations_ended_by"), ["ended_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_activations_measure"), ["measure"], unique=False)
        batch_op.create_index(batch_op.f("ix_activations_owned_by"), ["owned_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_activations_state"), ["state"], unique=False)

    op.create_table(
        "level_states__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["level_states.key"],
            name=op.f("fk_level_states__shared_with_owner_level_states"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_level_states__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_level_states__shared_with")),
    )
    with op.batch_alter_table("level_states__shared_with", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_level_states__shared_with_target"), ["target"], unique=False
        )

    op.create_table(
        "activations__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["activations.key"],
            name=op.f("fk_activations__shared_with_owner_activations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_activations__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_activations__shared_with")),
    )
    with op.batch_alter_table("activations__shared_with", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activations__shared_with_target"), ["target"], unique=False
        )

    with op.batch_alter_table("threat_pictures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("effective_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("previous_level", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("region", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("site", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("rationale", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("sources", sa.Text(), nullable=True))
        batch_op.alter_column(
            "system", existing_type=sa.VARCHAR(length=32), type_=sa.Text(), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("threat_pictures", schema=None) as batch_op:
        batch_op.alter_column(
            "system", existing_type=sa.Text(), type_=sa.VARCHAR(length=32), existing_nullable=False
        )
        batch_op.drop_column("sources")
        batch_op.drop_column("rationale")
        batch_op.drop_column("site")
        batch_op.drop_column("region")
        batch_op.drop_column("previous_level")
        batch_op.drop_column("effective_at")

    with op.batch_alter_table("activations__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activations__shared_with_target"))

    op.drop_table("activations__shared_with")
    with op.batch_alter_table("level_states__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_level_states__shared_with_target"))

    op.drop_table("level_states__shared_with")
    with op.batch_alter_table("activations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activations_state"))
        batch_op.drop_index(batch_op.f("ix_activations_owned_by"))
        batch_op.drop_index(batch_op.f("ix_activations_measure"))
        batch_op.drop_index(batch_op.f("ix_activations_ended_by"))
        batch_op.drop_index(batch_op.f("ix_activations_activated_by"))

    op.drop_table("activations")
    with op.batch_alter_table("level_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_level_states_theme"))
        batch_op.drop_index(batch_op.f("ix_level_states_picture"))
        batch_op.drop_index(batch_op.f("ix_level_states_owned_by"))

    op.drop_table("level_states")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_status_next_attempt_at")
        batch_op.drop_index(batch_op.f("ix_notifications_organisation"))
        batch_op.drop_index(batch_op.f("ix_notifications_channel_id"))

    op.drop_table("notifications")
    with op.batch_alter_table("alert_measures__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_measures__shared_with_target"))

    op.drop_table("alert_measures__shared_with")
    with op.batch_alter_table("notification_channels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_channels_organisation"))

    op.drop_table("notification_channels")
    with op.batch_alter_table("alert_measures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_measures_owned_by"))
        batch_op.drop_index(batch_op.f("ix_alert_measures_organisation"))

    op.drop_table("alert_measures")
