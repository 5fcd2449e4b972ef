"""Writing and reading the signed checkpoints of a trail, outside the database.

One file per trail (``<checkpoint folder>/<trail>.log``), one JSON line per
checkpoint with its Ed25519 signature. Lines are appended under an exclusive lock and
flushed to disk, so several processes of one installation can share the file.
Optionally every checkpoint also goes to the local syslog, where a log collector can
keep it out of reach of whoever holds the server.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import json
import os
import syslog
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from weerbaar.config import TrailConfig
from weerbaar.domain.audit import canonical_json
from weerbaar.domain.checkpoints import Checkpoint
from weerbaar.errors import TrailKeyError
from weerbaar.storage.trail_keys import TrailKeys


def log_path(config: TrailConfig, trail: str) -> Path:
    if not trail or not all(c.isalnum() or c == "-" for c in trail):
        raise TrailKeyError(f"the audit head names an impossible trail {trail!r}")
    return config.checkpoint_dir / f"{trail}.log"


def write(config: TrailConfig, keys: TrailKeys, checkpoint: Checkpoint) -> None:
    signature = base64.b64encode(keys.sign(checkpoint.payload())).decode("ascii")
    line = canonical_json({**checkpoint.as_plain(), "signature": signature}) + "\n"
    path = log_path(config, checkpoint.trail)
    try:
        config.checkpoint_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "a+", encoding="utf-8") as file:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX)
            if _torn(file.fileno()):
                line = "\n" + line  # a line cut short by a crash stays on its own
            file.write(line)
            file.flush()
            os.fsync(file.fileno())
    except OSError as exc:
        raise TrailKeyError(f"cannot write the audit checkpoint to {path}: {exc}") from exc
    if config.syslog:
        syslog.syslog(syslog.LOG_NOTICE | syslog.LOG_AUTH, "weerbaar audit checkpoint " + line)


def _torn(descriptor: int) -> bool:
    """Whether the file does not end with a whole line."""
    size = os.fstat(descriptor).st_size
    return size > 0 and os.pread(descriptor, 1, size - 1) != b"\n"


@dataclass(frozen=True, slots=True)
class ReadCheckpoints:
    good: list[tuple[str, Checkpoint]]  # (place, checkpoint), each with a valid signature
    bad: list[tuple[str, str]]  # (place, why it cannot be trusted): altered or forged
    # Lines that are no checkpoint at all, such as one cut short when the process died
    # while writing it: they prove nothing either way.
    unreadable: list[str]
    found: bool  # whether the trail has a checkpoint file at all


def _checkpoint(plain: Any) -> Checkpoint:
    return Checkpoint(
        trail=str(plain["trail"]),
        seq=int(plain["seq"]),
        hash=str(plain["hash"]),
        at=str(plain["at"]),
        key_id=str(plain["key_id"]),
    )


def read(config: TrailConfig, keys: TrailKeys, trail: str) -> ReadCheckpoints:
    path = log_path(config, trail)
    good: list[tuple[str, Checkpoint]] = []
    bad: list[tuple[str, str]] = []
    unreadable: list[str] = []
    try:
        with path.open(encoding="utf-8", errors="replace") as file:
            lines = file.readlines()
    except FileNotFoundError:
        return ReadCheckpoints([], [], [], found=False)
    except OSError as exc:
        raise TrailKeyError(f"cannot read the audit checkpoints {path}: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        place = f"{path.name} line {number}"
        if not line.strip():
            continue
        try:
            plain = json.loads(line)
            checkpoint = _checkpoint(plain)
            signature = base64.b64decode(plain["signature"], validate=True)
        except (ValueError, KeyError, TypeError, binascii.Error):
            unreadable.append(place)
            continue
        if not keys.signed(checkpoint.payload(), signature):
            bad.append((place, "signature does not verify: the line was altered or forged"))
            continue
        good.append((place, checkpoint))
    return ReadCheckpoints(good, bad, unreadable, found=True)


def last_seq(config: TrailConfig, trail: str) -> int | None:
    """The newest checkpointed entry count in the file (signatures unchecked: only to
    decide when the next checkpoint is due)."""
    found = newest(config, trail)
    return None if found is None else found.seq


def newest(config: TrailConfig, trail: str) -> Checkpoint | None:
    """The last whole checkpoint line in the file, its signature unchecked: for when the
    next checkpoint is due, and for how old the newest one is."""
    path = log_path(config, trail)
    try:
        with path.open("rb") as file:
            file.seek(0, os.SEEK_END)
            size = file.tell()
            file.seek(max(0, size - 4096))
            tail = file.read().decode("utf-8", errors="replace").strip().splitlines()
    except OSError:
        return None
    for line in reversed(tail):
        try:
            return _checkpoint(json.loads(line))
        except (ValueError, KeyError, TypeError):
            continue
    return None
