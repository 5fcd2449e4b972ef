"""Reading and checking the audit trail."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from weerbaar.domain.access import Marking, Subject, can_read
from weerbaar.domain.audit import AuditEntry, ChainBreak, canonical_json
from weerbaar.domain.fields import FieldKind
from weerbaar.domain.register import BY_NAME
from weerbaar.reference import classification_levels
from weerbaar.services.visibility import Visibility, visibility
from weerbaar.storage import audit_log
from weerbaar.storage.db import Database

# Account changes, and notification channels and retries, are for administrators' eyes
# only.
ACCOUNT_ENTITIES = frozenset({"users", "api_tokens", "notification_channels", "notifications"})


def verify_trail(db: Database) -> tuple[int, ChainBreak | None]:
    """(entries checked, the first break or None)."""
    with db.transaction() as connection:
        return audit_log.verify(connection)


def recent_entries(
    db: Database,
    *,
    entity: str | None = None,
    key: str | None = None,
    limit: int = 50,
    subject: Subject | None = None,
) -> list[AuditEntry]:
    """The newest entries ``subject`` may see, with what they may not see redacted.

    An entry about a register record is shown only if the record is visible now (or,
    once deleted, was readable before) and both its before and after markings are
    readable, so a record that was secret once does not show its secret past.
    """
    with db.transaction() as connection:
        if subject is None:
            return audit_log.entries(connection, entity=entity, key=key, limit=limit)
        seen = visibility(connection, subject)
        out: list[AuditEntry] = []
        offset = 0
        while len(out) < limit:
            batch = audit_log.entries(
                connection, entity=entity, key=key, limit=limit * 4, offset=offset
            )
            if not batch:
                break
            offset += len(batch)
            out += [_redacted(e, seen) for e in batch if _shown(e, seen, subject)]
        return out[:limit]


def _plain(text: str | None) -> dict[str, Any] | None:
    return None if text is None else dict(json.loads(text))


def _shown(entry: AuditEntry, seen: Visibility, subject: Subject) -> bool:
    if entry.entity in ACCOUNT_ENTITIES:
        return subject.role.manages_accounts
    if entry.entity not in BY_NAME:
        return False
    levels = classification_levels()
    for text in (entry.before, entry.after):
        plain = _plain(text)
        if plain is not None and not can_read(subject, Marking.from_plain(plain), levels):
            return False
    return entry.after is None or seen.sees(entry.entity, entry.key)


def _redacted(entry: AuditEntry, seen: Visibility) -> AuditEntry:
    if entry.entity not in BY_NAME:
        return entry
    spec = BY_NAME[entry.entity]

    def clean(text: str | None) -> str | None:
        plain = _plain(text)
        if plain is None:
            return None
        for field in spec.fields:
            if not field.is_reference or field.target is None or field.name not in plain:
                continue
            value = plain[field.name]
            if field.kind is FieldKind.REFS and isinstance(value, list):
                plain[field.name] = [k for k in value if seen.sees(field.target, k)]
            elif value is not None and not seen.sees(field.target, str(value)):
                plain[field.name] = None
        return canonical_json(plain)

    return dataclasses.replace(entry, before=clean(entry.before), after=clean(entry.after))
