"""Where scheduled backups go: a name per moment, and the older ones pruned."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

SUFFIX = ".tar"
# weerbaar-20250131T020000Z.tar, or weerbaar-20250131T020000Z-2.tar for a second one
# in the same second: only files named so are ever pruned.
_NAME = re.compile(r"weerbaar-(\d{8}T\d{6}Z)(?:-(\d+))?\.tar")


def new_name(folder: Path, moment: dt.datetime) -> Path:
    """A name for a backup made at ``moment`` in ``folder`` that no file there has."""
    stamp = moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"weerbaar-{stamp}{SUFFIX}"
    number = 1
    while path.exists():
        number += 1
        path = folder / f"weerbaar-{stamp}-{number}{SUFFIX}"
    return path


def made_by_weerbaar(folder: Path) -> list[Path]:
    """The backups in ``folder`` that bear weerbaar's names, oldest first."""
    found = []
    for path in folder.iterdir():
        matched = _NAME.fullmatch(path.name)
        if matched and path.is_file():
            found.append((matched.group(1), int(matched.group(2) or 1), path))
    return [path for _, _, path in sorted(found)]


def prune(folder: Path, keep: int, *, spare: Path) -> list[Path]:
    """Remove all but the ``keep`` newest of weerbaar's backups in ``folder``, never
    ``spare`` (the one just made, which a clock set back would make look old); the
    ones removed."""
    backups = [path for path in made_by_weerbaar(folder) if path != spare]
    gone = backups[: max(0, len(backups) - (keep - 1))]
    for path in gone:
        path.unlink()
    return gone
