"""Vital infrastructure: each vital process's region, people served, restart time and
cost of its outage; the dependencies between processes with their lag, buffer and
strength; and the organisations that hold expertise on a process.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 06:42:25.420719
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dependencies",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("supplier", sa.String(length=64), nullable=False),
        sa.Column("dependent", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("strength", sa.Double(), nullable=True),
        sa.Column("lag_hours", sa.Double(), nullable=True),
        sa.Column("lag_hours_high", sa.Double(), nullable=True),
        sa.Column("buffer_hours", sa.Double(), nullable=True),
        sa.Column("buffer_hours_high", sa.Double(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("classification", sa.Text(), nullable=False),
        sa.Column("owned_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_dependencies_version_positive")),
        sa.ForeignKeyConstraint(
            ["dependent"],
            ["vital_processes.key"],
            name=op.f("fk_dependencies_dependent_vital_processes"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owned_by"],
            ["organisations.key"],
            name=op.f("fk_dependencies_owned_by_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["supplier"],
            ["vital_processes.key"],
            name=op.f("fk_dependencies_supplier_vital_processes"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_dependencies")),
    )
    with op.batch_alter_table("dependencies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dependencies_dependent"), ["dependent"], unique=False)
        batch_op.create_index(batch_op.f("ix_dependencies_owned_by"), ["owned_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_dependencies_supplier"), ["supplier"], unique=False)

    op.create_table(
        "expertise",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("process", sa.String(length=64), nullable=False),
        sa.Column("organisation", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("contact", sa.Text(), nullable=True),
        sa.Column("classification", sa.Text(), nullable=False),
        sa.Column("owned_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_expertise_version_positive")),
        sa.ForeignKeyConstraint(
            ["organisation"],
            ["organisations.key"],
            name=op.f("fk_expertise_organisation_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owned_by"],
            ["organisations.key"],
            name=op.f("fk_expertise_owned_by_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["process"],
            ["vital_processes.key"],
            name=op.f("fk_expertise_process_vital_processes"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_expertise")),
    )
    with op.batch_alter_table("expertise", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_expertise_organisation"), ["organisation"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_expertise_owned_by"), ["owned_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_expertise_process"), ["process"], unique=False)

    op.create_table(
        "dependencies__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["dependencies.key"],
            name=op.f("fk_dependencies__shared_with_owner_dependencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_dependencies__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_dependencies__shared_with")),
    )
    with op.batch_alter_table("dependencies__shared_with", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dependencies__shared_with_target"), ["target"], unique=False
        )

    op.create_table(
        "expertise__shared_with",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["expertise.key"],
            name=op.f("fk_expertise__shared_with_owner_expertise"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["organisations.key"],
            name=op.f("fk_expertise__shared_with_target_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("owner", "target", name=op.f("pk_expertise__shared_with")),
    )
    with op.batch_alter_table("expertise__shared_with", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_expertise__shared_with_target"), ["target"], unique=False
        )

    with op.batch_alter_table("vital_processes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("region", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("people_served", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("basic_need", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("restart_hours", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("restart_hours_high", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("cost_per_hour", sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("vital_processes", schema=None) as batch_op:
        batch_op.drop_column("cost_per_hour")
        batch_op.drop_column("restart_hours_high")
        batch_op.drop_column("restart_hours")
        batch_op.drop_column("basic_need")
        batch_op.drop_column("people_served")
        batch_op.drop_column("region")

    with op.batch_alter_table("expertise__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expertise__shared_with_target"))

    op.drop_table("expertise__shared_with")
    with op.batch_alter_table("dependencies__shared_with", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dependencies__shared_with_target"))

    op.drop_table("dependencies__shared_with")
    with op.batch_alter_table("expertise", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expertise_process"))
        batch_op.drop_index(batch_op.f("ix_expertise_owned_by"))
        batch_op.drop_index(batch_op.f("ix_expertise_organisation"))

    op.drop_table("expertise")
    with op.batch_alter_table("dependencies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dependencies_supplier"))
        batch_op.drop_index(batch_op.f("ix_dependencies_owned_by"))
        batch_op.drop_index(batch_op.f("ix_dependencies_dependent"))

    op.drop_table("dependencies")
