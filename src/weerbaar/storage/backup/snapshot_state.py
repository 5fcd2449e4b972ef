"""What a snapshot holds: its schema revision and its audit trail's head, read in
the snapshot itself so that both are of the same moment as the data."""

from __future__ import annotations

from importlib import resources

from sqlalchemy import Connection, inspect, text

from weerbaar.storage import audit_log
from weerbaar.storage.audit_log import Head


def revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None if found is None else str(found)


def head(connection: Connection) -> Head | None:
    """The trail's head, or None where the trail is not sealed under a key yet (a
    schema older than the keyed trail)."""
    columns = {c["name"] for c in inspect(connection).get_columns("audit_head")}
    return audit_log.head(connection) if "key_id" in columns else None


def known_revision(name: str) -> bool:
    """Whether ``name`` is a schema revision of this weerbaar's migrations (an older
    one, or the newest)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    folder = resources.files("weerbaar.storage").joinpath("migrations")
    try:
        return ScriptDirectory(str(folder)).get_revision(name) is not None
    except CommandError:
        return False
