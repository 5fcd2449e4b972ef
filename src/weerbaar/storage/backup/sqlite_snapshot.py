"""A consistent copy of an SQLite register while it is in use.

SQLite's online backup copies every page in one step, inside one read transaction:
in WAL mode writers go on meanwhile, and the copy is the database as it was at one
commit, never half of one.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from weerbaar.errors import ConfigError, NotInitialisedError, said
from weerbaar.storage.db import SQLITE_BUSY_MS


def database_path(url: str) -> Path:
    """The file of the SQLite database at ``url``."""
    name = make_url(url).database
    if not name or name == ":memory:":
        raise ConfigError(
            said("an in-memory SQLite database has no file to back up or restore into")
        )
    return Path(name).expanduser()


def snapshot(source: Path, into: Path) -> None:
    """Copy the database at ``source`` into the new file ``into``."""
    if not source.is_file():
        raise NotInitialisedError(
            said("there is no database at %(file)s: nothing to back up", file=str(source))
        )
    reader = sqlite3.connect(source, timeout=SQLITE_BUSY_MS / 1000)
    try:
        copy = sqlite3.connect(into)
        try:
            reader.backup(copy, pages=-1)
        finally:
            copy.close()
    except sqlite3.Error as exc:
        raise ConfigError(
            said("cannot copy the database %(file)s: %(detail)s", file=str(source), detail=exc)
        ) from exc
    finally:
        reader.close()


def is_empty(path: Path) -> bool:
    """Whether the SQLite file at ``path`` is missing or holds no table."""
    if not path.exists():
        return True
    try:
        connection = sqlite3.connect(path)
        try:
            found = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise ConfigError(
            said("cannot read the database %(file)s: %(detail)s", file=str(path), detail=exc)
        ) from exc
    return int(found) == 0


def seal_file(path: Path) -> None:
    """Fold the write-ahead log of the closed database at ``path`` into its file, so
    the file alone is the whole database and can be moved."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def move_into_place(copy: Path, target: Path) -> None:
    """Put the closed database file ``copy`` at ``target`` (an empty database or
    none), on the same file system: one rename, so the target is either as it was or
    the whole copy."""
    for suffix in ("-wal", "-shm"):
        # The empty database's own log would otherwise be read as the copy's.
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(copy, target)
    descriptor = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
