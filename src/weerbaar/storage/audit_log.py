"""Appending to and reading the hash-chained audit trail."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

from sqlalchemy import Connection, insert, select, update

from weerbaar.domain.audit import AuditEntry, ChainBreak, entry_hash, first_break
from weerbaar.storage.tables import audit_entries, audit_head

_BATCH = 5_000


def append(
    connection: Connection,
    *,
    at: dt.datetime,
    actor: str,
    action: str,
    entity: str,
    key: str,
    before: str | None,
    after: str | None,
) -> AuditEntry:
    """Add one entry in the caller's transaction.

    The head row is read FOR UPDATE, so concurrent writers on PostgreSQL take turns
    here and the chain never forks; SQLite writers already hold the database lock.
    """
    head = connection.execute(
        select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1).with_for_update()
    ).one()
    stamp = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    seq = head.seq + 1
    digest = entry_hash(
        seq=seq,
        at=stamp,
        actor=actor,
        action=action,
        entity=entity,
        key=key,
        before=before,
        after=after,
        prev_hash=head.hash,
    )
    entry = AuditEntry(
        seq=seq,
        at=stamp,
        actor=actor,
        action=action,
        entity=entity,
        key=key,
        before=before,
        after=after,
        prev_hash=head.hash,
        hash=digest,
    )
    connection.execute(insert(audit_entries).values(**dataclasses.asdict(entry)))
    connection.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=digest))
    return entry


def entries(
    connection: Connection,
    *,
    entity: str | None = None,
    key: str | None = None,
    limit: int | None = None,
) -> list[AuditEntry]:
    """Entries newest first, optionally for one entity or one record."""
    query = select(audit_entries).order_by(audit_entries.c.seq.desc())
    if entity is not None:
        query = query.where(audit_entries.c.entity == entity)
    if key is not None:
        query = query.where(audit_entries.c.key == key)
    if limit is not None:
        query = query.limit(limit)
    return [AuditEntry(**row._mapping) for row in connection.execute(query)]


def verify(connection: Connection) -> tuple[int, ChainBreak | None]:
    """(entries checked, first break or None), reading the trail in batches."""
    head_row = connection.execute(
        select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
    ).one_or_none()
    head = (head_row.seq, head_row.hash) if head_row is not None else None
    count = 0

    def batches() -> Iterator[AuditEntry]:
        nonlocal count
        last = 0
        while True:
            rows = connection.execute(
                select(audit_entries)
                .where(audit_entries.c.seq > last)
                .order_by(audit_entries.c.seq)
                .limit(_BATCH)
            ).all()
            if not rows:
                return
            for row in rows:
                count += 1
                yield AuditEntry(**row._mapping)
            last = rows[-1].seq

    found = first_break(batches(), head)
    return count, found
