"""Appending to and reading the hash-chained audit trail."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence

from sqlalchemy import Connection, insert, select, update

from weerbaar.domain.audit import AuditEntry, ChainBreak, Change, extend, first_break
from weerbaar.storage.tables import audit_entries, audit_head

_BATCH = 5_000


def append(connection: Connection, changes: Sequence[Change]) -> list[AuditEntry]:
    """Record ``changes`` in the caller's transaction, in order.

    The head row is read FOR UPDATE, so concurrent writers on PostgreSQL take turns
    here and the chain never forks; SQLite writers already hold the database lock.
    """
    if not changes:
        return []
    head = connection.execute(
        select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1).with_for_update()
    ).one()
    new = extend(changes, last_seq=head.seq, last_hash=head.hash)
    connection.execute(insert(audit_entries), [dataclasses.asdict(e) for e in new])
    connection.execute(
        update(audit_head).where(audit_head.c.id == 1).values(seq=new[-1].seq, hash=new[-1].hash)
    )
    return new


def entries(
    connection: Connection,
    *,
    entity: str | None = None,
    key: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[AuditEntry]:
    """Entries newest first, optionally for one entity or one record."""
    query = select(audit_entries).order_by(audit_entries.c.seq.desc())
    if entity is not None:
        query = query.where(audit_entries.c.entity == entity)
    if key is not None:
        query = query.where(audit_entries.c.key == key)
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
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
