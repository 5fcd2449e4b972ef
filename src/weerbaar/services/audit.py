"""Reading and checking the audit trail."""

from __future__ import annotations

from weerbaar.domain.audit import AuditEntry, ChainBreak
from weerbaar.storage import audit_log
from weerbaar.storage.db import Database


def verify_trail(db: Database) -> tuple[int, ChainBreak | None]:
    """(entries checked, the first break or None)."""
    with db.transaction() as connection:
        return audit_log.verify(connection)


def recent_entries(
    db: Database, *, entity: str | None = None, key: str | None = None, limit: int = 50
) -> list[AuditEntry]:
    with db.transaction() as connection:
        return audit_log.entries(connection, entity=entity, key=key, limit=limit)
