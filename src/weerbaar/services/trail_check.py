"""``weerbaar audit verify``: is the trail whole, and is the register what it says?

Four checks, each reported on its own:

1. the key: the key at hand is the one that sealed this database's trail;
2. the chain: every entry, in order, linked and sealed under that key, up to the head;
3. the checkpoints: every signed checkpoint outside the database verifies, and the
   trail still holds each entry it names, with the same hash (a cut or a rewritten
   trail is found even when the chain was made to fit again);
4. the replay: every register record and account is as the newest entry about it
   says, and there is none that the trail does not know of (a row changed without an
   entry is found).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from weerbaar.domain.audit import AuditEntry, ChainKey, first_break
from weerbaar.domain.checkpoints import check_against_trail
from weerbaar.domain.fields import to_plain
from weerbaar.domain.register import BY_NAME, ENTITIES, values_of
from weerbaar.errors import AuditChainError
from weerbaar.storage import audit_log, checkpoints
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository
from weerbaar.storage.tables import audit_entries, audit_head, users
from weerbaar.storage.trail_keys import TrailKeys

_USER_FIELDS = (
    "display_name",
    "role",
    "organisation",
    "clearance",
    "disabled",
    "version",
    "language",
)


@dataclass(frozen=True, slots=True)
class Finding:
    check: str  # key, chain, checkpoints, replay
    place: str  # an entry, a checkpoint line or a record
    reason: str

    def __str__(self) -> str:
        return f"{self.check}: {self.place}: {self.reason}"


@dataclass(slots=True)
class TrailReport:
    key_id: str = ""
    head: int = 0  # entries the head records
    entries: int = 0
    checkpoints: int = 0
    newest_checkpoint: int | None = None  # the entry count it signed
    records: int = 0  # register records and accounts compared with the trail
    findings: list[Finding] = field(default_factory=list)
    # Worth knowing, but no sign of tampering (a checkpoint line cut short by a crash).
    notes: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.findings

    def unsigned(self) -> int:
        """Entries newer than the newest checkpoint: the ones a cut could take unseen."""
        return max(0, self.head - (self.newest_checkpoint or 0))


def verify_trail(db: Database) -> TrailReport:
    keys = db.keys()
    report = TrailReport(key_id=keys.key_id)
    with db.transaction() as connection:
        row = connection.execute(select(audit_head).where(audit_head.c.id == 1)).one_or_none()
        if row is None or row.trail is None:
            report.findings.append(Finding("chain", "audit head", "the audit head is missing"))
            return report
        if row.key_id != keys.key_id:
            report.findings.append(
                Finding(
                    "key",
                    str(db.trail.key_dir),
                    f"this trail is sealed with key {row.key_id}, the key at hand is {keys.key_id}",
                )
            )
            return report
        report.head = row.seq
        key = keys.chain_key(row.trail)
        latest = _check_chain(connection, key, (row.seq, row.hash), report)
        _check_checkpoints(db, keys, connection, key, row.seq, report)
        _check_replay(connection, latest, report)
    return report


def sign_head(db: Database) -> tuple[int, str]:
    """Checkpoint the head now: (the entry count signed, where it was written)."""
    with db.transaction() as connection:
        head = audit_log.head(connection)
    if head is None:
        raise AuditChainError(None, "the audit head is missing")
    written = db.write_checkpoint(head)
    return written.seq, str(checkpoints.log_path(db.trail, written.trail))


def _counted(entries: Iterator[AuditEntry], report: TrailReport) -> Iterator[AuditEntry]:
    for entry in entries:
        report.entries += 1
        yield entry


def _check_chain(
    connection: Connection, key: ChainKey, head: tuple[int, str], report: TrailReport
) -> dict[tuple[str, str], str | None]:
    """Checks the chain; returns the newest ``after`` per (entity, key) for the replay."""
    latest: dict[tuple[str, str], str | None] = {}

    def remembered() -> Iterator[AuditEntry]:
        for entry in _counted(audit_log.ascending(connection), report):
            if entry.entity in BY_NAME or entry.entity == "users":
                latest[(entry.entity, entry.key)] = entry.after
            yield entry

    broken = first_break(remembered(), head, key=key)
    if broken is not None:
        report.findings.append(Finding("chain", f"entry {broken.seq}", broken.reason))
        # The rest of the trail was still read for the count and the replay.
        for _ in remembered():
            pass
    return latest


def _check_checkpoints(
    db: Database,
    keys: TrailKeys,
    connection: Connection,
    key: ChainKey,
    head_seq: int,
    report: TrailReport,
) -> None:
    found = checkpoints.read(db.trail, keys, key.trail)
    where = str(checkpoints.log_path(db.trail, key.trail))
    if not found.found:
        report.findings.append(
            Finding(
                "checkpoints",
                where,
                "no checkpoints for this trail: a trail cut at its end, or removed whole, "
                "cannot be told from an intact one",
            )
        )
        return
    for place, reason in found.bad:
        report.findings.append(Finding("checkpoints", place, reason))
    report.notes += [
        f"{place}: not a checkpoint (cut short?), skipped" for place in found.unreadable
    ]
    report.checkpoints = len(found.good)
    mine = [c for _, c in found.good if c.trail == key.trail]
    report.newest_checkpoint = max((c.seq for c in mine), default=None)

    def hash_at(seq: int) -> str | None:
        if seq == 0:
            return key.genesis
        return connection.execute(
            select(audit_entries.c.hash).where(audit_entries.c.seq == seq)
        ).scalar_one_or_none()

    for problem in check_against_trail(
        found.good, trail=key.trail, key_id=key.key_id, head_seq=head_seq, hash_at=hash_at
    ):
        report.findings.append(Finding("checkpoints", problem.place, problem.reason))


def _differs(recorded: str, current: dict[str, Any]) -> list[str]:
    """The fields the newest entry records that the stored record no longer has.

    Fields the entry does not mention (added to the schema after it was written) are
    not compared."""
    plain = json.loads(recorded)
    return sorted(name for name, value in plain.items() if current.get(name) != value)


def _check_replay(
    connection: Connection,
    latest: dict[tuple[str, str], str | None],
    report: TrailReport,
) -> None:
    repo = Repository(connection)
    present: set[tuple[str, str]] = set()
    for spec in ENTITIES:
        versions = repo.versions(spec.name)
        for record in repo.fetch(spec.name):
            present.add((spec.name, record.key))
            plain = {name: to_plain(value) for name, value in values_of(record).items()}
            plain["version"] = versions[record.key]
            _compare(spec.name, record.key, plain, latest, report)
    for row in connection.execute(select(users)):
        present.add(("users", row.username))
        plain = {"username": row.username, **{f: row._mapping[f] for f in _USER_FIELDS}}
        plain["disabled"] = bool(plain["disabled"])
        _compare("users", row.username, plain, latest, report)
    report.records = len(present)
    for (entity, key), after in latest.items():
        if after is not None and (entity, key) not in present:
            report.findings.append(
                Finding(
                    "replay",
                    f"{_singular(entity)} {key}",
                    "the trail says it exists, but it is gone without an audit entry",
                )
            )


def _singular(entity: str) -> str:
    return "account" if entity == "users" else BY_NAME[entity].singular


def _compare(
    entity: str,
    key: str,
    plain: dict[str, Any],
    latest: dict[tuple[str, str], str | None],
    report: TrailReport,
) -> None:
    place = f"{_singular(entity)} {key}"
    if (entity, key) not in latest:
        report.findings.append(Finding("replay", place, "stored, but no audit entry made it"))
        return
    recorded = latest[(entity, key)]
    if recorded is None:
        report.findings.append(
            Finding("replay", place, "stored, but the trail says it was deleted")
        )
        return
    changed = _differs(recorded, plain)
    if changed:
        report.findings.append(
            Finding(
                "replay",
                place,
                "differs from its newest audit entry in "
                + ", ".join(changed)
                + ": changed without an audit entry",
            )
        )
