"""Sealing a trail under its key, and the database's own guard on the trail.

:func:`seal` gives a database's trail its name and its key: a trail written before
keying is first checked against its old unkeyed chain (a broken one is refused, since
sealing it would hide the break), then every entry is hashed again under the key.

:func:`guard_statements` are the triggers that make the trail append-only inside the
database: no entry is updated or deleted, the head never moves back, and its trail
and key never change once set. On PostgreSQL, :func:`application_role_grants` also
lets the role the web app runs as only add to the trail; the triggers stop even the
owner by accident, the grants stop the application's role on purpose. Neither stops
someone who can drop triggers or edit the file: that is what the key and the signed
checkpoints are for.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, bindparam, select, update

from weerbaar.domain.audit import first_legacy_break
from weerbaar.errors import AuditChainError, ConfigError
from weerbaar.storage.audit_log import BEFORE_REQUEST_IDS, ascending
from weerbaar.storage.tables import audit_entries, audit_head, metadata
from weerbaar.storage.trail_keys import TrailKeys

_BATCH = 5_000  # entries re-sealed per statement

APPEND_ONLY = "the audit trail is append-only: entries are never changed or removed"


def seal(connection: Connection, keys: TrailKeys) -> str:
    """Name the trail and seal it under ``keys``; the trail's name.

    For a trail that is already sealed this does nothing.
    """
    head = connection.execute(select(audit_head).where(audit_head.c.id == 1)).one_or_none()
    if head is None:
        raise AuditChainError(1, "the audit head is missing; the trail cannot be sealed")
    if head.trail is not None:
        return str(head.trail)
    broken = first_legacy_break(
        ascending(connection, columns=BEFORE_REQUEST_IDS), (head.seq, head.hash)
    )
    if broken is not None:
        raise AuditChainError(
            broken.seq,
            f"{broken.reason}. The trail was broken before it was sealed under a key; sealing "
            "it now would hide that. Restore the database from a backup whose `weerbaar audit "
            "verify` passes, then run `weerbaar init` again",
        )
    trail = str(uuid.uuid4())
    key = keys.chain_key(trail)
    prev = key.genesis
    statement = (
        update(audit_entries)
        .where(audit_entries.c.seq == bindparam("b_seq"))
        .values(prev_hash=bindparam("b_prev"), hash=bindparam("b_hash"))
    )
    batch: list[dict[str, object]] = []
    for entry in list(ascending(connection, columns=BEFORE_REQUEST_IDS)):
        sealed = key.seal(entry, prev)
        batch.append({"b_seq": sealed.seq, "b_prev": sealed.prev_hash, "b_hash": sealed.hash})
        prev = sealed.hash
        if len(batch) >= _BATCH:
            connection.execute(statement, batch)
            batch = []
    if batch:
        connection.execute(statement, batch)
    connection.execute(
        update(audit_head)
        .where(audit_head.c.id == 1)
        .values(hash=prev, trail=trail, key_id=keys.key_id)
    )
    return trail


def guard_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [
            "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END",
            "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END",
            "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head "
            "BEGIN SELECT RAISE(ABORT, 'the audit head is never removed'); END",
            "CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head "
            "WHEN NEW.seq < OLD.seq OR (OLD.trail IS NOT NULL AND "
            "(NEW.trail IS NOT OLD.trail OR NEW.key_id IS NOT OLD.key_id)) "
            "BEGIN SELECT RAISE(ABORT, 'the audit head only moves forward'); END",
        ]
    if dialect == "postgresql":
        return [
            "CREATE FUNCTION weerbaar_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$",
            "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
            "FOR EACH ROW EXECUTE FUNCTION weerbaar_audit_append_only()",
            "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
            "FOR EACH STATEMENT EXECUTE FUNCTION weerbaar_audit_append_only()",
            "CREATE FUNCTION weerbaar_audit_head_forward_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP <> 'UPDATE' THEN RAISE EXCEPTION 'the audit head is never removed'; END IF; "
            "IF NEW.seq < OLD.seq OR (OLD.trail IS NOT NULL AND (NEW.trail IS DISTINCT FROM "
            "OLD.trail OR NEW.key_id IS DISTINCT FROM OLD.key_id)) THEN "
            "RAISE EXCEPTION 'the audit head only moves forward'; END IF; "
            "RETURN NEW; END $$",
            "CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_head "
            "FOR EACH ROW EXECUTE FUNCTION weerbaar_audit_head_forward_only()",
            "CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head "
            "FOR EACH STATEMENT EXECUTE FUNCTION weerbaar_audit_append_only()",
        ]
    raise ConfigError(f"no audit trail guard for database {dialect!r}")


def unguard_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {name}"
            for name in (
                "audit_entries_no_update",
                "audit_entries_no_delete",
                "audit_head_no_delete",
                "audit_head_forward_only",
            )
        ]
    return [
        "DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries",
        "DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries",
        "DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_head",
        "DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_head",
        "DROP FUNCTION IF EXISTS weerbaar_audit_head_forward_only()",
        "DROP FUNCTION IF EXISTS weerbaar_audit_append_only()",
    ]


def application_role_grants(role: str) -> list[str]:
    """PostgreSQL statements that let ``role`` use the register but only add to the
    trail. Run them as the tables' owner (who runs `weerbaar init`)."""
    if not role or not all(c.isalnum() or c in "_-" for c in role):
        raise ConfigError(f"not a role name: {role!r} (letters, digits, _ and - only)")
    quoted = f'"{role}"'
    others = sorted(name for name in metadata.tables if name not in {"audit_entries", "audit_head"})
    statements = [f"REVOKE ALL ON audit_entries, audit_head FROM {quoted}"]
    statements.append(f"GRANT SELECT, INSERT ON audit_entries TO {quoted}")
    statements.append(f"GRANT SELECT, UPDATE ON audit_head TO {quoted}")
    statements += [
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON "{name}" TO {quoted}' for name in others
    ]
    # A row of a table numbered by the database takes its number from the column's
    # sequence (PostgreSQL names it TABLE_COLUMN_seq), which needs its own grant.
    statements += [
        f'GRANT USAGE, SELECT ON SEQUENCE "{table.name}_{column.name}_seq" TO {quoted}'
        for table in metadata.sorted_tables
        if (column := table.autoincrement_column) is not None
    ]
    statements.append(f"GRANT SELECT ON alembic_version TO {quoted}")
    return statements
