"""What every use case needs: the database, who acts, and the clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from weerbaar.storage.db import Database


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class Context:
    db: Database
    actor: str
    clock: Callable[[], dt.datetime] = field(default=utc_now)
