"""What every use case needs: the database, who acts, and the clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from weerbaar.domain.access import Subject
from weerbaar.storage.db import Database


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class Context:
    db: Database
    actor: str
    clock: Callable[[], dt.datetime] = field(default=utc_now)
    # The signed-in user whose need-to-know applies; None for the local operator (CLI).
    subject: Subject | None = None
