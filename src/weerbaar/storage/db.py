"""Engines, transactions and the schema's state.

:class:`Database` is made by a factory from a URL, never at import time. Every write
happens inside :meth:`Database.transaction`, one transaction per use case. SQLite
connections take the write lock at BEGIN, so two writers queue instead of failing
halfway; PostgreSQL writers queue on the audit head row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from weerbaar.errors import ConfigError, NotInitialisedError
from weerbaar.storage.tables import audit_head

if TYPE_CHECKING:
    from alembic.config import Config

# The newest migration; tests check it against Alembic's own idea of the head, so
# ordinary commands can check the schema without importing Alembic (a third of a
# second at every start).
SCHEMA_HEAD = "0007"

SQLITE_BUSY_MS = 30_000


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, parsed.database)
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True)
    raise ConfigError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        folder = Path(database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create the folder for {database!r}: {exc}") from exc
    try:
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000})
    except NoSuchModuleError as exc:
        raise ConfigError(f"unsupported database URL {url!r}") from exc

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (see below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # IMMEDIATE takes the write lock up front: a read-then-write transaction can
        # then never fail on upgrading its lock after doing half its work.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    folder = resources.files("weerbaar.storage").joinpath("migrations")
    config.set_main_option("script_location", str(folder))
    config.attributes["engine"] = engine
    return config


class Database:
    """A register database reached through one engine."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)

    def display_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Connection]:
        """One transaction. A ``write`` transaction first locks the audit head, so
        writers take turns on PostgreSQL as they do on SQLite: no deadlocks between
        an import and an edit, and the audit chain never forks."""
        try:
            with self.engine.begin() as connection:
                if write:
                    connection.execute(
                        select(audit_head.c.seq).where(audit_head.c.id == 1).with_for_update()
                    )
                yield connection
        except OperationalError as exc:
            raise ConfigError(f"database {self.display_url()} is unusable: {exc.orig}") from exc

    def upgrade(self) -> None:
        """Create or migrate the schema to the newest version."""
        from alembic import command

        try:
            command.upgrade(_alembic_config(self.engine), "head")
        except OperationalError as exc:
            raise ConfigError(f"database {self.display_url()} is unusable: {exc.orig}") from exc

    def schema_state(self) -> tuple[str | None, str]:
        """(current revision or None, newest revision)."""
        try:
            with self.engine.connect() as connection:
                if not inspect(connection).has_table("alembic_version"):
                    return None, SCHEMA_HEAD
                current = connection.execute(
                    text("SELECT version_num FROM alembic_version")
                ).scalar_one_or_none()
        except OperationalError as exc:
            raise ConfigError(f"database {self.display_url()} is unusable: {exc.orig}") from exc
        return current, SCHEMA_HEAD

    def require_schema(self) -> None:
        current, head = self.schema_state()
        if current is None:
            raise NotInitialisedError(
                f"database {self.display_url()} has no register yet: run `weerbaar init` first"
            )
        if current != head:
            raise NotInitialisedError(
                f"database {self.display_url()} is at schema {current}, this weerbaar needs "
                f"{head}: run `weerbaar init` to migrate it"
            )

    def dispose(self) -> None:
        self.engine.dispose()
