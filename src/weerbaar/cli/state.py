"""The per-invocation state the CLI's callback builds: settings and the database."""

from __future__ import annotations

from dataclasses import dataclass, field

import typer

from weerbaar.config import Settings
from weerbaar.services.context import Context
from weerbaar.storage.db import Database


@dataclass(slots=True)
class State:
    settings: Settings
    _db: Database | None = field(default=None)

    def database(self, *, require_schema: bool = True) -> Database:
        if self._db is None:
            self._db = Database(self.settings.db_url, trail=self.settings.trail)
        if require_schema:
            self._db.require_schema()
        return self._db

    def context(self) -> Context:
        return Context(db=self.database(), actor=self.settings.actor)

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    assert isinstance(root.obj, State)
    return root.obj
