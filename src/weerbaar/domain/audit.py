"""The audit trail's hash chain, as pure functions.

Each entry's hash is SHA-256 over the canonical JSON of its content and the hash of
the entry before it, so editing, removing or reordering any entry breaks every hash
after it, and :func:`first_break` names the first entry that no longer fits.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: str  # ISO 8601, UTC
    actor: str
    action: str  # create, update, delete
    entity: str
    key: str
    before: str | None  # canonical JSON of the record before, None for a create
    after: str | None  # canonical JSON of the record after, None for a delete
    prev_hash: str
    hash: str


def canonical_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(
    *,
    seq: int,
    at: str,
    actor: str,
    action: str,
    entity: str,
    key: str,
    before: str | None,
    after: str | None,
    prev_hash: str,
) -> str:
    content = canonical_json([seq, at, actor, action, entity, key, before, after, prev_hash])
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Change:
    """One write to be recorded: what the audit trail is told."""

    at: str  # ISO 8601, UTC
    actor: str
    action: str
    entity: str
    key: str
    before: str | None
    after: str | None


def extend(changes: Iterable[Change], *, last_seq: int, last_hash: str) -> list[AuditEntry]:
    """The entries that record ``changes`` after the entry (last_seq, last_hash)."""
    out = []
    seq, prev = last_seq, last_hash
    for change in changes:
        seq += 1
        digest = entry_hash(
            seq=seq,
            at=change.at,
            actor=change.actor,
            action=change.action,
            entity=change.entity,
            key=change.key,
            before=change.before,
            after=change.after,
            prev_hash=prev,
        )
        out.append(
            AuditEntry(
                seq=seq,
                at=change.at,
                actor=change.actor,
                action=change.action,
                entity=change.entity,
                key=change.key,
                before=change.before,
                after=change.after,
                prev_hash=prev,
                hash=digest,
            )
        )
        prev = digest
    return out


@dataclass(frozen=True, slots=True)
class ChainBreak:
    seq: int
    reason: str


def first_break(entries: Iterable[AuditEntry], head: tuple[int, str] | None) -> ChainBreak | None:
    """The first entry that does not fit the chain, or None when all is intact.

    ``head`` is the recorded newest (seq, hash); None means no entry was ever written.
    """
    expected_seq, prev = 1, GENESIS
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainBreak(expected_seq, f"entry missing (next entry found is {entry.seq})")
        if entry.prev_hash != prev:
            return ChainBreak(entry.seq, "does not link to the entry before it")
        recomputed = entry_hash(
            seq=entry.seq,
            at=entry.at,
            actor=entry.actor,
            action=entry.action,
            entity=entry.entity,
            key=entry.key,
            before=entry.before,
            after=entry.after,
            prev_hash=entry.prev_hash,
        )
        if recomputed != entry.hash:
            return ChainBreak(entry.seq, "content was altered (hash mismatch)")
        expected_seq, prev = entry.seq + 1, entry.hash
    last_seq = expected_seq - 1
    if head is None:
        return ChainBreak(1, "audit head is missing") if last_seq else None
    if head != (last_seq, prev):
        return ChainBreak(
            last_seq + 1,
            f"entries after {last_seq} are missing (the trail recorded {head[0]} entries)",
        )
    return None
