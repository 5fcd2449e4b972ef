"""Whether a register's database answers, asked over a connection of its own with
short timeouts.

The register's own engine waits as long as a use case needs: for a connection to a
server that is gone, as long as the network lets it, and on SQLite for the write lock
each transaction takes. A readiness check must answer in seconds whatever the state
of the database, so it connects anew each time (no pool whose connections could all
hang), gives up after :data:`PROBE_SECONDS`, and on SQLite only reads, opening the
file it is given and never creating one.
"""

from __future__ import annotations

import functools
import sqlite3
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

__all__ = ["PROBE_SECONDS", "answers"]

PROBE_SECONDS = 3


def answers(url: str) -> bool:
    """Whether the database at ``url`` takes a connection and a trivial query."""
    try:
        with _probe_engine(url).connect() as connection:
            connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        return False
    return True


@functools.lru_cache(maxsize=16)
def _probe_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        limits = {
            "connect_timeout": PROBE_SECONDS,
            "options": f"-c statement_timeout={PROBE_SECONDS * 1000}",
        }
        return create_engine(parsed, poolclass=NullPool, connect_args=limits)
    path = parsed.database
    if not path or path == ":memory:":
        return create_engine("sqlite://", poolclass=NullPool)
    # mode=rw: a missing file is a database that is gone, not a new one to create.
    address = f"file:{quote(str(Path(path).expanduser()))}?mode=rw"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(address, uri=True, timeout=PROBE_SECONDS)

    return create_engine("sqlite://", poolclass=NullPool, creator=connect)
