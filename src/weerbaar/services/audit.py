"""Reading the audit trail as one reader may see it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from sqlalchemy import Connection

from weerbaar.domain.access import Subject
from weerbaar.domain.audit import AuditEntry
from weerbaar.domain.register import BY_NAME
from weerbaar.services.audit_sight import TrailSight
from weerbaar.services.visibility import visibility
from weerbaar.storage import audit_log
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository

# Raw entries read per query while collecting what a reader may see: enough that a
# page rarely needs a second query, few enough that a short page reads little.
_BATCH_MIN, _BATCH_MAX = 200, 5_000


@dataclass(frozen=True, slots=True)
class TrailEntry:
    """One entry as its reader is shown it.

    ``position`` numbers the reader's own view, newest first: 1 is the newest entry
    they may see under the same filters. It counts only what they may see, so unlike
    the trail's sequence it says nothing of the writes hidden from them. ``seq`` and
    ``hash`` (the chain itself) are shown to administrators and the operator alone.
    """

    position: int
    seq: int | None
    hash: str | None
    at: str
    actor: str
    action: str
    entity: str
    key: str
    before: str | None  # canonical JSON, references the reader may not see emptied
    after: str | None
    live: bool  # the record exists now, so its reader may open it
    note: str | None  # why, where the act needs a reason (a declassification)
    request_id: str | None  # the request that wrote it, as its log lines name it


@dataclass(frozen=True, slots=True)
class TrailPage:
    entries: tuple[TrailEntry, ...]
    offset: int  # entries of the reader's view skipped before this page
    limit: int
    more: bool  # older entries of the reader's view follow this page


def shows_chain(subject: Subject | None) -> bool:
    """Whether ``subject`` is shown the trail's own sequence and hashes."""
    return subject is None or subject.role.manages_accounts


def trail_page(
    db: Database,
    *,
    entity: str | None = None,
    key: str | None = None,
    limit: int = 50,
    offset: int = 0,
    subject: Subject | None = None,
    request_id: str | None = None,
) -> TrailPage:
    """One page of the trail as ``subject`` may see it, newest first (only the
    entries of request ``request_id``, if given).

    Paging counts what the reader sees, so a key they may not see answers exactly as a
    key that never existed: no entries, nothing more.
    """
    wanted = offset + limit + 1  # one more tells whether another page follows
    with db.transaction() as connection:
        shown = _shown(connection, entity, key, subject, wanted, request_id=request_id)
        found = list(islice(shown, offset, wanted))
        live = _live(connection, found[:limit])
    chain = shows_chain(subject)
    entries = tuple(
        _as_shown(entry, offset + i + 1, chain=chain, live=(entry.entity, entry.key) in live)
        for i, entry in enumerate(found[:limit])
    )
    return TrailPage(entries, offset, limit, more=len(found) > limit)


def recent_entries(
    db: Database,
    *,
    entity: str | None = None,
    key: str | None = None,
    limit: int = 50,
    subject: Subject | None = None,
) -> list[AuditEntry]:
    """The newest entries ``subject`` may see, redacted, for use cases that read the
    trail; views show :func:`trail_page` instead, which numbers them for the reader.

    :class:`~weerbaar.services.audit_sight.TrailSight` decides what is shown: an entry
    only where its record, and every record it required, may be seen — deleted ones
    by their last state — and only if both its before and after markings are readable,
    so a record that was secret once does not show its secret past.
    """
    with db.transaction() as connection:
        return list(islice(_shown(connection, entity, key, subject, limit), limit))


def _shown(
    connection: Connection,
    entity: str | None,
    key: str | None,
    subject: Subject | None,
    wanted: int,
    *,
    request_id: str | None = None,
) -> Iterator[AuditEntry]:
    """Newest first, the entries ``subject`` may see, redacted; read in batches, so a
    page of a long trail reads only as far as it needs."""
    batch = min(max(wanted * 2, _BATCH_MIN), _BATCH_MAX)
    stored = _newest_first(connection, entity, key, batch, request_id)
    if subject is None:
        yield from stored
        return
    sight = TrailSight(connection, subject, visibility(connection, subject))
    for entry in stored:
        if sight.shows(entry):
            yield sight.redacted(entry)


def _newest_first(
    connection: Connection, entity: str | None, key: str | None, batch: int, request: str | None
) -> Iterator[AuditEntry]:
    offset, oldest = 0, None
    while True:
        rows = audit_log.entries(
            connection, entity=entity, key=key, request_id=request, limit=batch, offset=offset
        )
        for entry in rows:
            # On PostgreSQL each query sees entries appended since the last one, which
            # push the older ones down: an entry read already comes again.
            if oldest is None or entry.seq < oldest:
                oldest = entry.seq
                yield entry
        if len(rows) < batch:
            return
        offset += len(rows)


def _live(connection: Connection, entries: list[AuditEntry]) -> set[tuple[str, str]]:
    """Which of these entries' records exist now. A shown entry's record that exists
    is one its reader may see, or the entry would not be shown."""
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        if entry.entity in BY_NAME:
            wanted.setdefault(entry.entity, set()).add(entry.key)
    repository = Repository(connection)
    return {
        (name, key) for name, keys in wanted.items() for key in repository.existing_keys(name, keys)
    }


def _as_shown(entry: AuditEntry, position: int, *, chain: bool, live: bool) -> TrailEntry:
    return TrailEntry(
        position=position,
        seq=entry.seq if chain else None,
        hash=entry.hash if chain else None,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        entity=entry.entity,
        key=entry.key,
        before=entry.before,
        after=entry.after,
        live=live,
        note=entry.note,
        request_id=entry.request_id,
    )
