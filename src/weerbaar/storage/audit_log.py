"""Appending to and reading the hash-chained audit trail."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from weerbaar.domain.audit import AuditEntry, Change, extend
from weerbaar.domain.request_ids import current_request_id
from weerbaar.errors import TrailKeyError
from weerbaar.storage.tables import audit_entries, audit_head
from weerbaar.storage.trail_keys import TrailKeys

_BATCH = 5_000
# The entry's fields, which are the table's columns: dataclasses.asdict copies each
# value deeply, which cost more than sealing the entry.
_COLUMNS = tuple(f.name for f in dataclasses.fields(AuditEntry))


# Where :meth:`Database.transaction` leaves the trail's keys for this transaction's
# writes, and where :func:`append` leaves the head it wrote for the checkpoint taken
# once the transaction commits.
KEYS_INFO = "weerbaar.trail_keys"
HEAD_INFO = "weerbaar.trail_head"


@dataclass(frozen=True, slots=True)
class Head:
    seq: int
    hash: str
    trail: str
    key_id: str


def append(connection: Connection, changes: Sequence[Change]) -> list[AuditEntry]:
    """Record ``changes`` in the caller's transaction, in order, sealed under the
    trail's key.

    The head row is read FOR UPDATE, so concurrent writers on PostgreSQL take turns
    here and the chain never forks; SQLite writers already hold the database lock.
    """
    if not changes:
        return []
    keys = connection.info.get(KEYS_INFO)
    if not callable(keys):
        raise TrailKeyError("audit entries are written only inside Database.transaction")
    trail_keys: TrailKeys = keys()
    head = connection.execute(
        select(audit_head.c.seq, audit_head.c.hash, audit_head.c.trail, audit_head.c.key_id)
        .where(audit_head.c.id == 1)
        .with_for_update()
    ).one()
    if head.trail is None or head.key_id != trail_keys.key_id:
        raise TrailKeyError(
            f"this database's audit trail is sealed with key {head.key_id}, but the key at "
            f"hand is {trail_keys.key_id}: restore the trail's key folder (WEERBAAR_KEY_DIR)"
        )
    request_id = current_request_id.get()
    if request_id is not None:
        changes = [
            c if c.request_id is not None else dataclasses.replace(c, request_id=request_id)
            for c in changes
        ]
    new = extend(
        changes, last_seq=head.seq, last_hash=head.hash, key=trail_keys.chain_key(head.trail)
    )
    connection.execute(insert(audit_entries), [{c: getattr(e, c) for c in _COLUMNS} for e in new])
    connection.execute(
        update(audit_head).where(audit_head.c.id == 1).values(seq=new[-1].seq, hash=new[-1].hash)
    )
    connection.info[HEAD_INFO] = Head(new[-1].seq, new[-1].hash, head.trail, head.key_id)
    return new


def entries(
    connection: Connection,
    *,
    entity: str | None = None,
    key: str | None = None,
    request_id: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[AuditEntry]:
    """Entries newest first, optionally for one entity, one record or one request."""
    query = select(audit_entries).order_by(audit_entries.c.seq.desc())
    if entity is not None:
        query = query.where(audit_entries.c.entity == entity)
    if key is not None:
        query = query.where(audit_entries.c.key == key)
    if request_id is not None:
        query = query.where(audit_entries.c.request_id == request_id)
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return [AuditEntry(**row._mapping) for row in connection.execute(query)]


# The columns a trail had before entries named their request (revision 0020), for the
# migrations that read a trail older than that.
BEFORE_REQUEST_IDS = tuple(c for c in _COLUMNS if c != "request_id")


def ascending(connection: Connection, *, columns: Sequence[str] = _COLUMNS) -> Iterator[AuditEntry]:
    """Every entry, oldest first, read in batches (only ``columns`` of each: the
    others are left at their defaults)."""
    last = 0
    while True:
        rows = connection.execute(
            select(*(audit_entries.c[name] for name in columns))
            .where(audit_entries.c.seq > last)
            .order_by(audit_entries.c.seq)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        for row in rows:
            yield AuditEntry(**row._mapping)
        last = rows[-1].seq


def head(connection: Connection) -> Head | None:
    """The head as recorded, or None if it is missing or the trail is not sealed."""
    row = connection.execute(
        select(audit_head.c.seq, audit_head.c.hash, audit_head.c.trail, audit_head.c.key_id).where(
            audit_head.c.id == 1
        )
    ).one_or_none()
    if row is None or row.trail is None:
        return None
    return Head(row.seq, row.hash, row.trail, row.key_id)
