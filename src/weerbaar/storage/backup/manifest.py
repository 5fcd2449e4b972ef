"""``manifest.json``: what a backup holds, and how to tell that it is whole."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from weerbaar.errors import FileFormatError, said

FORMAT = "weerbaar-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_MAX_BYTES = 1 << 20

DATABASE_MEMBERS = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
PUBLIC_KEY_MEMBER = "checkpoint-signing.pub.pem"
KEYS_MEMBER = "keys.sealed"

_SHA256 = re.compile(r"[0-9a-f]{64}")


def checkpoint_member(trail: str) -> str:
    return f"checkpoints/{trail}.log"


@dataclass(frozen=True, slots=True)
class Member:
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class TrailHead:
    """The audit trail as the snapshot holds it: its name, the id of the key that
    sealed it, and its head."""

    trail: str
    key_id: str
    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class Manifest:
    weerbaar_version: str
    schema_revision: str
    dialect: str
    created_at: str  # ISO 8601, UTC
    head: TrailHead
    members: dict[str, Member]
    # How the sealed keys were sealed (key_vault.Sealing.as_plain), if the backup has them.
    keys: dict[str, Any] | None = field(default=None)

    @property
    def database_member(self) -> str:
        return DATABASE_MEMBERS[self.dialect]

    def to_json(self) -> bytes:
        plain = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "weerbaar_version": self.weerbaar_version,
            "schema_revision": self.schema_revision,
            "dialect": self.dialect,
            "created_at": self.created_at,
            "trail": {
                "id": self.head.trail,
                "key_id": self.head.key_id,
                "head": {"seq": self.head.seq, "hash": self.head.hash},
            },
            "members": {
                name: {"size": m.size, "sha256": m.sha256} for name, m in self.members.items()
            },
            "keys": self.keys,
        }
        return json.dumps(plain, indent=2, sort_keys=True).encode("utf-8") + b"\n"


def parse(data: bytes, *, where: str) -> Manifest:
    """The manifest in ``data``; a :class:`FileFormatError` naming ``where`` and what
    is wrong when it is not one this weerbaar reads."""
    try:
        plain = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise refused(where, said("its manifest.json is not JSON")) from None
    if not isinstance(plain, dict) or plain.get("format") != FORMAT:
        raise refused(where, said("its manifest.json is not that of a weerbaar backup"))
    version = plain.get("format_version")
    if version != FORMAT_VERSION:
        raise refused(
            where,
            said(
                "it is in backup format %(found)s, this weerbaar reads format %(known)s: "
                "restore it with the weerbaar version that made it, or a newer one",
                found=repr(version),
                known=FORMAT_VERSION,
            ),
        )
    try:
        return _manifest(plain)
    except (KeyError, TypeError, ValueError) as exc:
        raise refused(
            where, said("its manifest.json is incomplete or damaged (%(detail)s)", detail=exc)
        ) from None


def _manifest(plain: dict[str, Any]) -> Manifest:
    dialect = str(plain["dialect"])
    if dialect not in DATABASE_MEMBERS:
        raise ValueError(f"unknown database kind {dialect!r}")
    trail = plain["trail"]
    head = TrailHead(
        trail=_trail_name(trail["id"]),
        key_id=str(trail["key_id"]),
        seq=_count(trail["head"]["seq"]),
        hash=str(trail["head"]["hash"]),
    )
    members = {str(name): _member(value) for name, value in dict(plain["members"]).items()}
    keys = plain.get("keys")
    allowed = {DATABASE_MEMBERS[dialect], PUBLIC_KEY_MEMBER, checkpoint_member(head.trail)}
    if keys is not None:
        allowed.add(KEYS_MEMBER)
        keys = dict(keys)
    strange = sorted(set(members) - allowed)
    if strange:
        raise ValueError(f"unexpected members {', '.join(strange)}")
    for needed in (DATABASE_MEMBERS[dialect], PUBLIC_KEY_MEMBER):
        if needed not in members:
            raise ValueError(f"no member {needed}")
    if keys is not None and KEYS_MEMBER not in members:
        raise ValueError(f"no member {KEYS_MEMBER}")
    return Manifest(
        weerbaar_version=str(plain["weerbaar_version"]),
        schema_revision=str(plain["schema_revision"]),
        dialect=dialect,
        created_at=str(plain["created_at"]),
        head=head,
        members=members,
        keys=keys,
    )


def _trail_name(value: object) -> str:
    name = str(value)
    if not name or not all(c.isalnum() or c == "-" for c in name):
        raise ValueError(f"impossible trail name {name!r}")
    return name


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"not a count: {value!r}")
    return value


def _member(value: object) -> Member:
    if not isinstance(value, dict):
        raise TypeError("a member is described by its size and sha256")
    digest = str(value["sha256"])
    if not _SHA256.fullmatch(digest):
        raise ValueError(f"not a SHA-256: {digest!r}")
    return Member(size=_count(value["size"]), sha256=digest)


def refused(where: str, why: str) -> FileFormatError:
    """The error for the backup file ``where``, which cannot be used because ``why``."""
    return FileFormatError(said("%(file)s is not a usable backup: %(why)s", file=where, why=why))
