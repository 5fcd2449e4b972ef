"""The audit trail keyed and append-only: a note on an entry (the reason of a
declassification), an index on each record's history, the trail's name and key on
its head, every entry sealed again with HMAC under the key kept outside the
database, and triggers that refuse to change or remove an entry or move the head
back.

Needs the trail's keys, which ``weerbaar init`` hands over (creating them when the key
folder has none).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from weerbaar.domain.audit import AuditEntry, legacy_hash
from weerbaar.errors import TrailKeyError
from weerbaar.storage.trail_keys import TrailKeys
from weerbaar.storage.trail_seal import guard_statements, seal, unguard_statements

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _keys() -> TrailKeys:
    keys = context.config.attributes.get("trail_keys")
    if not isinstance(keys, TrailKeys):
        raise TrailKeyError("sealing the audit trail needs its keys: run `weerbaar init`")
    return keys


def upgrade() -> None:
    op.add_column("audit_entries", sa.Column("note", sa.Text(), nullable=True))
    op.add_column("audit_head", sa.Column("trail", sa.String(length=36), nullable=True))
    op.add_column("audit_head", sa.Column("key_id", sa.String(length=16), nullable=True))
    op.create_index("ix_audit_entries_entity_key", "audit_entries", ["entity", "key"])
    connection = op.get_bind()
    seal(connection, _keys())
    for statement in guard_statements(connection.dialect.name):
        op.execute(statement)


def downgrade() -> None:
    connection = op.get_bind()
    for statement in unguard_statements(connection.dialect.name):
        op.execute(statement)
    # Back to the unkeyed chain the older schema checks.
    entries = sa.table(
        "audit_entries",
        sa.column("seq", sa.Integer),
        sa.column("at", sa.String),
        sa.column("actor", sa.String),
        sa.column("action", sa.String),
        sa.column("entity", sa.String),
        sa.column("key", sa.String),
        sa.column("before", sa.Text),
        sa.column("after", sa.Text),
        sa.column("prev_hash", sa.String),
        sa.column("hash", sa.String),
    )
    prev = "0" * 64
    for row in connection.execute(sa.select(entries).order_by(entries.c.seq)).all():
        entry = AuditEntry(**{**row._mapping, "prev_hash": prev})
        digest = legacy_hash(entry)
        connection.execute(
            sa.update(entries).where(entries.c.seq == entry.seq).values(prev_hash=prev, hash=digest)
        )
        prev = digest
    connection.execute(sa.text("UPDATE audit_head SET hash = :h WHERE id = 1"), {"h": prev})
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("key_id")
        batch.drop_column("trail")
    op.drop_index("ix_audit_entries_entity_key", table_name="audit_entries")
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_column("note")
