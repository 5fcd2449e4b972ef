"""A trail's checkpoint lines, as a backup takes them and a restore puts them back.

The lines are copied as they were written (signature and all): what they prove is
checked by the audit verification, not here. Only their entry counts are read, to
keep those that a snapshot holds and to see whether a checkpoint folder has seen more
of a trail than a backup holds.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from weerbaar.config import TrailConfig
from weerbaar.errors import StepError, TrailKeyError, said
from weerbaar.storage.checkpoints import log_path


def _seq(line: bytes, trail: str) -> int | None:
    """The entry count a checkpoint line names, if it is one of ``trail``."""
    try:
        plain = json.loads(line)
        if plain["trail"] != trail:
            return None
        seq = plain["seq"]
    except (ValueError, KeyError, TypeError):
        return None
    return seq if isinstance(seq, int) else None


def _lines(path: Path) -> list[bytes]:
    try:
        with path.open("rb") as file:
            return [line if line.endswith(b"\n") else line + b"\n" for line in file if line.strip()]
    except FileNotFoundError:
        return []


def up_to(config: TrailConfig, trail: str, head_seq: int) -> bytes:
    """The trail's checkpoint lines that name an entry count of at most ``head_seq``."""
    return b"".join(
        line
        for line in _lines(log_path(config, trail))
        if (seq := _seq(line, trail)) is not None and seq <= head_seq
    )


def furthest(path: Path, trail: str) -> int | None:
    """The highest entry count any line of the log at ``path`` names (its signature
    unchecked: a line that claims more is reason enough to stop)."""
    counts = [seq for line in _lines(path) if (seq := _seq(line, trail)) is not None]
    return max(counts, default=None)


def beyond(config: TrailConfig, trail: str, head_seq: int) -> StepError | None:
    """Why the checkpoint folder of ``config`` must not take a backup whose trail ends
    at ``head_seq``: its log of that trail records more entries. None if it may."""
    path = log_path(config, trail)
    seen = furthest(path, trail)
    if seen is None or seen <= head_seq:
        return None
    return StepError(
        said(
            "%(log)s records %(seen)s entries of this audit trail, but the backup holds "
            "only %(head)s: restoring it would hide the loss of the entries after "
            "%(head)s. Keep that folder as evidence, point WEERBAAR_CHECKPOINT_DIR at a new "
            "empty folder and restore again",
            log=str(path),
            seen=seen,
            head=head_seq,
        )
    )


def merged(existing: Path, lines: bytes) -> bytes:
    """The lines of the log at ``existing`` followed by those of ``lines`` it lacks."""
    have = _lines(existing)
    known = set(have)
    return b"".join(have) + b"".join(
        line for line in lines.splitlines(keepends=True) if line not in known
    )


def add(config: TrailConfig, trail: str, lines: bytes, head_seq: int) -> int:
    """Append to the trail's log in ``config``'s folder the lines it lacks, under the
    lock checkpoint writers take; refused if the log records more than ``head_seq``
    entries (checked again under that lock). The number of lines added."""
    path = log_path(config, trail)
    try:
        config.checkpoint_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "a+b") as file:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX)
            refusal = beyond(config, trail, head_seq)
            if refusal is not None:
                raise refusal
            have = set(_lines(path))
            new = [line for line in lines.splitlines(keepends=True) if line not in have]
            size = os.fstat(file.fileno()).st_size
            if new and size and os.pread(file.fileno(), 1, size - 1) != b"\n":
                new[0] = b"\n" + new[0]  # a line cut short by a crash stays on its own
            file.write(b"".join(new))
            file.flush()
            os.fsync(file.fileno())
    except OSError as exc:
        raise TrailKeyError(
            said(
                "cannot write the audit checkpoints to %(file)s: %(detail)s",
                file=str(path),
                detail=exc,
            )
        ) from exc
    return len(new)
