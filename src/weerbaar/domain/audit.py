"""The audit trail's keyed hash chain, as pure functions.

Each entry's hash is HMAC-SHA256, under a key kept outside the database, over the
canonical JSON of its content and the hash of the entry before it; the first entry
links to a genesis value that is itself keyed and names the trail. So editing,
removing or reordering any entry breaks every hash after it, and without the key
nobody can recompute the chain after a change or forge an entry that fits:
:func:`first_break` names the first entry that no longer fits.

Cutting entries off the end and moving the head back leaves a chain that still fits;
that is what the signed checkpoints kept outside the database are for
(:mod:`weerbaar.domain.checkpoints`).

Trails written before the chain was keyed used plain SHA-256 (:func:`legacy_hash`);
migrating checks them with it before sealing them again under the key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# The unkeyed chain's start, as trails written before keying have it.
LEGACY_GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: str  # ISO 8601, UTC
    actor: str
    action: str  # create, update, delete, declassify, ...
    entity: str
    key: str
    before: str | None  # canonical JSON of the record before, None for a create
    after: str | None  # canonical JSON of the record after, None for a delete
    prev_hash: str
    hash: str
    note: str | None = None  # why, where the act needs a reason (a declassification)
    request_id: str | None = None  # the request that made it: its log lines carry the id


# One encoder for every call: json.dumps builds a new one per call when given options,
# which cost more than the encoding of a record.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical_json(value: object) -> str:
    return _CANONICAL.encode(value)


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
    note: str | None = None
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class ChainKey:
    """The secret that seals one trail, and the trail's name.

    ``trail`` is a random identifier given to a database's trail when it is created;
    it is part of the genesis value, so entries cannot be moved between two trails
    sealed with the same key.
    """

    secret: bytes
    trail: str

    def __repr__(self) -> str:  # never print the secret
        return f"ChainKey(trail={self.trail!r}, id={self.key_id!r})"

    @property
    def key_id(self) -> str:
        """A public name of the key: which key sealed a trail, without revealing it."""
        return hmac.new(self.secret, b"weerbaar audit key id", hashlib.sha256).hexdigest()[:16]

    @property
    def genesis(self) -> str:
        return self._mac(["genesis", self.trail])

    def _mac(self, content: object) -> str:
        data = canonical_json(content).encode("utf-8")
        return hmac.digest(self.secret, data, "sha256").hex()

    def digest(self, seq: int, e: AuditEntry | Change, prev_hash: str) -> str:
        """The hash of entry ``seq`` recording ``e``, linked to ``prev_hash``."""
        content = [seq, e.at, e.actor, e.action, e.entity, e.key, e.before, e.after]
        if e.request_id is None:  # as every entry was sealed before requests had ids
            return self._mac([*content, prev_hash, e.note])
        return self._mac([*content, prev_hash, e.note, e.request_id])

    def seal(self, entry: AuditEntry, prev_hash: str) -> AuditEntry:
        """The entry linked to ``prev_hash`` and hashed under this key."""
        digest = self.digest(entry.seq, entry, prev_hash)
        return dataclasses.replace(entry, prev_hash=prev_hash, hash=digest)


def legacy_hash(entry: AuditEntry) -> str:
    """The unkeyed SHA-256 an entry had before trails were keyed."""
    content = canonical_json(
        [
            entry.seq,
            entry.at,
            entry.actor,
            entry.action,
            entry.entity,
            entry.key,
            entry.before,
            entry.after,
            entry.prev_hash,
        ]
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def extend(
    changes: Iterable[Change], *, last_seq: int, last_hash: str, key: ChainKey
) -> list[AuditEntry]:
    """The entries that record ``changes`` after the entry (last_seq, last_hash)."""
    out = []
    seq, prev = last_seq, last_hash
    for change in changes:
        seq += 1
        digest = key.digest(seq, change, prev)
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
                note=change.note,
                request_id=change.request_id,
            )
        )
        prev = digest
    return out


@dataclass(frozen=True, slots=True)
class ChainBreak:
    seq: int
    reason: str


def first_break(
    entries: Iterable[AuditEntry], head: tuple[int, str] | None, *, key: ChainKey
) -> ChainBreak | None:
    """The first entry that does not fit the chain sealed with ``key``, or None when
    all is intact.

    ``head`` is the recorded newest (seq, hash); None means the head is missing, which
    a trail never is (it is written when the database is created).
    """
    return _first_break(entries, head, key.genesis, lambda e: key.seal(e, e.prev_hash).hash)


def first_legacy_break(
    entries: Iterable[AuditEntry], head: tuple[int, str] | None
) -> ChainBreak | None:
    """:func:`first_break` for a trail written before keying."""
    return _first_break(entries, head, LEGACY_GENESIS, legacy_hash)


def _first_break(
    entries: Iterable[AuditEntry],
    head: tuple[int, str] | None,
    genesis: str,
    recompute: Callable[[AuditEntry], str],
) -> ChainBreak | None:
    if head is None:
        return ChainBreak(1, "the audit head is missing")
    expected_seq, prev = 1, genesis
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainBreak(expected_seq, f"entry missing (next entry found is {entry.seq})")
        if entry.prev_hash != prev:
            return ChainBreak(entry.seq, "does not link to the entry before it")
        if not hmac.compare_digest(recompute(entry), entry.hash):
            return ChainBreak(entry.seq, "content was altered, or sealed with another key")
        expected_seq, prev = entry.seq + 1, entry.hash
    last_seq = expected_seq - 1
    if head != (last_seq, prev):
        if head[0] > last_seq:
            return ChainBreak(
                last_seq + 1,
                f"entries after {last_seq} are missing (the head records {head[0]} entries)",
            )
        return ChainBreak(last_seq, f"the head does not name the newest entry ({head[0]})")
    return None
