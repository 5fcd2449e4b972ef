"""Settings, built by :func:`load_settings` when a command or app starts, never at
import time.

The database is, in order of precedence: the ``--db`` option, the ``WEERBAAR_DB``
environment variable, or an SQLite file in the user's data folder. Who acts (for the
audit trail) is ``--user``, ``WEERBAAR_USER``, or the operating-system account.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from weerbaar.errors import ConfigError

APP_NAME = "weerbaar"


@dataclass(frozen=True, slots=True)
class Settings:
    db_url: str
    actor: str


def default_db_url() -> str:
    path = Path(user_data_dir(APP_NAME, appauthor=False)) / "weerbaar.db"
    return f"sqlite:///{path}"


def _system_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def load_settings(
    *,
    db: str | None = None,
    user: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    env = os.environ if environ is None else environ
    db_url = db or env.get("WEERBAAR_DB") or default_db_url()
    actor = user or env.get("WEERBAAR_USER") or f"cli:{_system_user()}"
    actor = actor.strip()
    if not actor or len(actor) > 128:
        raise ConfigError("the user name must be 1–128 characters")
    return Settings(db_url=db_url, actor=actor)
