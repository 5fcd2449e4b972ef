"""Engines, transactions and the schema's state.

:class:`Database` is made by a factory from a URL, never at import time. Every write
happens inside :meth:`Database.transaction`, one transaction per use case. SQLite
connections take the write lock at BEGIN, so two writers queue instead of failing
halfway; PostgreSQL writers queue on the audit head row.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, ProgrammingError

from weerbaar.config import TrailConfig
from weerbaar.domain.checkpoints import Checkpoint
from weerbaar.errors import ConfigError, NotInitialisedError, TrailKeyError
from weerbaar.storage import audit_log, checkpoints
from weerbaar.storage.audit_log import HEAD_INFO, KEYS_INFO, Head
from weerbaar.storage.tables import audit_head
from weerbaar.storage.trail_keys import TrailKeys, ensure_keys, keys_exist, load_keys
from weerbaar.storage.trail_seal import application_role_grants

if TYPE_CHECKING:
    from alembic.config import Config

# The newest migration; tests check it against Alembic's own idea of the head, so
# ordinary commands can check the schema without importing Alembic (a third of a
# second at every start).
SCHEMA_HEAD = "0020"

SQLITE_BUSY_MS = 30_000

_log = logging.getLogger("weerbaar.audit")


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
        return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)
    raise ConfigError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        folder = Path(database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create the folder for {database!r}: {exc}") from exc
    try:
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_MS / 1000}, hide_parameters=True
        )
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
    """A register database reached through one engine, with the keys that seal its
    audit trail (found through ``trail``: the settings' own, or a throw-away one)."""

    def __init__(self, url: str, *, trail: TrailConfig) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.trail = trail
        self._keys: TrailKeys | None = None
        self._lock = threading.Lock()
        self._checkpointed: dict[str, int] = {}  # per trail: the newest seq signed

    def display_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def keys(self) -> TrailKeys:
        """The trail's keys, read once (a missing key stops every write)."""
        with self._lock:
            if self._keys is None:
                self._keys = load_keys(self.trail)
            return self._keys

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Connection]:
        """One transaction. A ``write`` transaction first locks the audit head, so
        writers take turns on PostgreSQL as they do on SQLite: no deadlocks between
        an import and an edit, and the audit chain never forks. Once a transaction
        that wrote to the trail commits, its head is checkpointed when one is due."""
        try:
            with self.engine.begin() as connection:
                info = connection.info
                info[KEYS_INFO] = self.keys
                info.pop(HEAD_INFO, None)
                if write:
                    connection.execute(
                        select(audit_head.c.seq).where(audit_head.c.id == 1).with_for_update()
                    )
                yield connection
                written = info.pop(HEAD_INFO, None)
        except OperationalError as exc:
            raise ConfigError(f"database {self.display_url()} is unusable: {exc.orig}") from exc
        if isinstance(written, Head):
            self._checkpoint_if_due(written)

    def _checkpoint_if_due(self, head: Head) -> None:
        with self._lock:
            last = self._checkpointed.get(head.trail)
            if last is None:
                last = checkpoints.last_seq(self.trail, head.trail) or 0
            if head.seq - last < self.trail.checkpoint_every:
                self._checkpointed[head.trail] = last
                return
            self._checkpointed[head.trail] = max(last, head.seq)
        try:
            self.write_checkpoint(head)
        except TrailKeyError as exc:
            # The write itself is committed: failing it now would only invite a retry.
            # `weerbaar audit verify` names the entries no checkpoint covers.
            self._checkpointed[head.trail] = last
            _log.error("audit checkpoint not written: %s", exc)

    def write_checkpoint(self, head: Head) -> Checkpoint:
        """Sign ``head`` and keep it outside the database."""
        at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
        checkpoint = Checkpoint(head.trail, head.seq, head.hash, at, head.key_id)
        checkpoints.write(self.trail, self.keys(), checkpoint)
        return checkpoint

    def upgrade(self) -> None:
        """Create or migrate the schema to the newest version, creating the trail's
        keys when neither the key folder nor the database has any yet."""
        from alembic import command

        keys = self._keys_for_upgrade()
        config = _alembic_config(self.engine)
        config.attributes["trail_keys"] = keys
        try:
            command.upgrade(config, "head")
        except OperationalError as exc:
            raise ConfigError(f"database {self.display_url()} is unusable: {exc.orig}") from exc
        with self._lock:
            self._keys = keys
        with self.transaction() as connection:
            head = audit_log.head(connection)
        if head is not None and checkpoints.last_seq(self.trail, head.trail) is None:
            self.write_checkpoint(head)

    def _keys_for_upgrade(self) -> TrailKeys:
        if keys_exist(self.trail):
            return load_keys(self.trail)
        sealed_with = self._sealed_with()
        if sealed_with is not None:
            raise TrailKeyError(
                f"the audit trail of {self.display_url()} is sealed with key {sealed_with}, "
                f"which is not in {self.trail.key_dir}: restore that folder from its backup "
                "(or set WEERBAAR_KEY_DIR to it); new keys would not open this trail"
            )
        return ensure_keys(self.trail)

    def _sealed_with(self) -> str | None:
        try:
            with self.engine.connect() as connection:
                if not inspect(connection).has_table("audit_head"):
                    return None
                columns = {c["name"] for c in inspect(connection).get_columns("audit_head")}
                if "key_id" not in columns:
                    return None
                found = connection.execute(text("SELECT key_id FROM audit_head")).scalar()
        except OperationalError as exc:
            raise ConfigError(f"database {self.display_url()} is unusable: {exc.orig}") from exc
        return None if found is None else str(found)

    def grant_application_role(self, role: str) -> None:
        """Let ``role`` use the register but only add to the trail (PostgreSQL)."""
        if self.engine.dialect.name != "postgresql":
            raise ConfigError("an application role is a PostgreSQL setting; SQLite has none")
        statements = application_role_grants(role)
        try:
            with self.engine.begin() as connection:
                for statement in statements:
                    connection.exec_driver_sql(statement)
        except ProgrammingError as exc:
            raise ConfigError(f"cannot grant role {role!r}: {exc.orig}") from exc

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
