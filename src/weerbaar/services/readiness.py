"""Whether this installation can do its work now: what ``/readyz`` answers.

Each check is a yes or no, and says nothing else: not which server, which folder or
what error, since whoever may ask must learn nothing of the installation from it.
The operator finds out why on the server: ``weerbaar schedulers list``, ``weerbaar
audit verify``, the logs.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass

from weerbaar.config import TrailConfig
from weerbaar.errors import WeerbaarError
from weerbaar.services.context import utc_now
from weerbaar.services.schedulers import beats
from weerbaar.storage import probe
from weerbaar.storage.db import Database
from weerbaar.storage.trail_keys import load_keys

__all__ = ["CHECKS", "Readiness", "check_readiness"]

CHECKS = ("database", "schema", "keys", "checkpoints", "schedulers")


@dataclass(frozen=True, slots=True)
class Readiness:
    checks: dict[str, bool]  # per name in CHECKS: whether it passed

    @property
    def ready(self) -> bool:
        return all(self.checks.values())

    @classmethod
    def unconfirmed(cls) -> Readiness:
        """Nothing could be confirmed (the checks took too long)."""
        return cls(dict.fromkeys(CHECKS, False))


def check_readiness(db: Database, *, now: dt.datetime | None = None) -> Readiness:
    """Every check on ``db`` and its trail's folders. The database is first reached
    over a connection of its own with short timeouts; only when it answers are the
    schema and the schedulers read, as everything else reads."""
    reachable = probe.answers(db.url)
    checks = {
        "database": reachable,
        "schema": reachable and _schema_current(db),
        "keys": _keys_readable(db.trail),
        "checkpoints": _checkpoints_writable(db.trail),
        "schedulers": reachable and _schedulers_fresh(db, now or utc_now()),
    }
    return Readiness(checks)


def _schema_current(db: Database) -> bool:
    try:
        current, newest = db.schema_state()
    except WeerbaarError:
        return False
    return current == newest


def _keys_readable(trail: TrailConfig) -> bool:
    """The chain key and the checkpoint signing key: without either, no write can be
    sealed and signed."""
    try:
        keys = load_keys(trail)
    except WeerbaarError:
        return False
    return keys.signing is not None


def _checkpoints_writable(trail: TrailConfig) -> bool:
    """Whether a file can be made in the checkpoint folder (made as a checkpoint's
    write makes it, when it is missing), and removed again."""
    try:
        trail.checkpoint_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=trail.checkpoint_dir, prefix=".ready-"):
            pass
    except OSError:
        return False
    return True


def _schedulers_fresh(db: Database, now: dt.datetime) -> bool:
    try:
        found = beats(db)
    except WeerbaarError:
        return False
    return all(beat.fresh(now) for beat in found)
