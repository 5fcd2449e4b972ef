"""A process killed in the middle of an import leaves the register as it was.

The kill waits until the import is writing rows, seen from outside the process: on
SQLite the write-ahead log taking the transaction's pages, on PostgreSQL the import's
session holding the lock that writing rows into ``organisations`` takes. A kill before
that would prove nothing.
"""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from weerbaar.services.context import Context
from weerbaar.services.trail_check import verify_trail
from weerbaar.storage.repository import Repository

ROWS = 30_000
WRITING_TIMEOUT = 120.0  # seconds for the import to start writing, on a busy machine
# A WAL frame: its 24-byte header and a page; the file itself starts with 32 bytes.
_WAL_FRAME = 24 + 4096

_ROWS_BEING_WRITTEN = text(
    "SELECT count(*) FROM pg_locks JOIN pg_class ON pg_class.oid = pg_locks.relation "
    "WHERE pg_locks.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND pg_class.relname = 'organisations' AND pg_locks.mode = 'RowExclusiveLock' "
    "AND pg_locks.granted AND pg_locks.pid <> pg_backend_pid()"
)


def _writing_probe(db_url: str) -> tuple[Callable[[], bool], Callable[[], None]]:
    """A test of whether another process is writing rows into this database, and
    how to close it. Taken before that process starts."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        wal = Path(url.database + "-wal")

        def wal_state() -> tuple[int, int] | None:
            try:
                found = wal.stat()
            except FileNotFoundError:
                return None
            return found.st_size, found.st_mtime_ns

        before = wal_state()

        # Nothing but the import writes; its pages reach the log before it commits
        # (a transaction this large does not fit in SQLite's page cache). A log that
        # was emptied is written again from its start, so it may change, not grow.
        def sqlite_writing() -> bool:
            now = wal_state()
            return now is not None and now != before and now[0] >= 32 + _WAL_FRAME

        return sqlite_writing, lambda: None
    engine = create_engine(db_url)

    def postgresql_writing() -> bool:
        with engine.connect() as connection:
            return bool(connection.execute(_ROWS_BEING_WRITTEN).scalar_one())

    return postgresql_writing, engine.dispose


def test_kill_during_import_writes_nothing(ctx: Context, db_url: str, tmp_path: Path) -> None:
    doc = {
        "format": "weerbaar-register",
        "format_version": 1,
        "organisations": [
            {"key": f"org-{i:05d}", "name": f"Gemeente {i}", "kind": "municipality"}
            for i in range(ROWS)
        ],
    }
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    writing, close_probe = _writing_probe(db_url)
    env = {**os.environ, "WEERBAAR_DB": db_url}
    process = subprocess.Popen(
        [sys.executable, "-c", "from weerbaar.cli.main import run; run()", "import", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + WRITING_TIMEOUT
        while not writing():
            assert process.poll() is None, "the import ended before it was seen writing"
            assert time.monotonic() < deadline, "the import was not seen writing in time"
            time.sleep(0.01)
        # Writing, and not done: the kill lands in the middle of the transaction.
        assert process.poll() is None, "the import ended before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        close_probe()
    assert process.returncode == -signal.SIGKILL
    with ctx.db.transaction() as connection:
        count = Repository(connection).count("organisations")
    assert count == 0
    report = verify_trail(ctx.db)
    assert report.findings == []
    assert report.entries == 0
