"""Alembic environment: runs on the engine weerbaar hands over, never on a URL
from an ini file, so migrations always hit the database the user chose."""

from __future__ import annotations

from alembic import context

from weerbaar.storage.tables import metadata

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
