"""Settings: read from the environment once, by :func:`load_settings` when a command
or the app starts, and passed down. Nothing below this module reads the environment;
each part takes its own piece of :class:`Settings` as an argument.

The database is, in order of precedence: the ``--db`` option, ``WEERBAAR_DB``, or an
SQLite file in the user's data folder. Who acts (for the audit trail) is ``--user``,
``WEERBAAR_USER``, or the operating-system account. The other variables:

=============================== ===================================================
``WEERBAAR_KEY_DIR``            the audit trail's keys (the user's configuration
                                folder)
``WEERBAAR_CHECKPOINT_DIR``     its checkpoints (``checkpoints/`` in the key folder)
``WEERBAAR_CHECKPOINT_EVERY``   entries between checkpoints (1)
``WEERBAAR_CHECKPOINT_SYSLOG``  also send checkpoints to syslog (off)
``WEERBAAR_SMTP_HOST``, ``_PORT``, ``_FROM``, ``_STARTTLS``, ``_USER``, ``_PASSWORD``
                                the mail server notifications go through
``WEERBAAR_NOTIFY_ATTEMPTS``,   attempts before a notification is dead (5), the
``_BACKOFF``, ``_TIMEOUT``      first wait in seconds (30, doubling), the time
                                allowed for each network operation (10)
``WEERBAAR_DASK``               a Dask scheduler for batch work (none: local
                                processes)
``WEERBAAR_ADMIN_PASSWORD``     the password of the first administrator that
                                ``weerbaar serve`` creates (a new one, printed once)
=============================== ===================================================
"""

from __future__ import annotations

import datetime as dt
import getpass
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir

from weerbaar.domain.addresses import email_address_problem
from weerbaar.errors import ConfigError

APP_NAME = "weerbaar"
# However many attempts are configured, a receiver that is down for long is still
# tried at least daily.
MAX_NOTIFY_WAIT = dt.timedelta(days=1)

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


@dataclass(frozen=True, slots=True)
class _Env:
    """Reads variables, naming the variable in every complaint."""

    env: Mapping[str, str]

    def text(self, name: str) -> str | None:
        return self.env.get(name, "").strip() or None

    def integer(self, name: str, default: int, *, low: int, high: int) -> int:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
        if not low <= value <= high:
            raise ConfigError(f"{name} must be from {low} to {high}, got {value}")
        return value

    def seconds(self, name: str, default: float, *, zero_ok: bool) -> float:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a number of seconds, got {raw!r}") from None
        if not math.isfinite(value) or value < 0 or (value == 0 and not zero_ok):
            least = "0 or more" if zero_ok else "more than 0"
            raise ConfigError(f"{name} must be {least} seconds, got {raw!r}")
        return value

    def flag(self, name: str, default: bool) -> bool:
        raw = self.text(name)
        if raw is None:
            return default
        if raw.casefold() in _TRUE:
            return True
        if raw.casefold() in _FALSE:
            return False
        raise ConfigError(f"{name} must be true or false, got {raw!r}")


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    """How notifications are sent: the mail server, and how often and how long a
    failed notification is tried again."""

    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_from: str = "weerbaar@localhost"
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    attempts: int = 5  # attempts before a notification is dead
    backoff: float = 30.0  # seconds after the first failed attempt, doubling each time
    timeout: float = 10.0  # seconds for each network operation

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DeliverySettings:
        """``WEERBAAR_SMTP_*`` and ``WEERBAAR_NOTIFY_*``; unset ones keep the defaults."""
        env = _Env(os.environ if environ is None else environ)
        default = cls()
        user = env.text("WEERBAAR_SMTP_USER")
        password = env.text("WEERBAAR_SMTP_PASSWORD")
        if bool(user) != bool(password):
            given, missing = (
                ("WEERBAAR_SMTP_USER", "WEERBAAR_SMTP_PASSWORD")
                if user
                else ("WEERBAAR_SMTP_PASSWORD", "WEERBAAR_SMTP_USER")
            )
            raise ConfigError(f"{given} is set but {missing} is not: set both, or neither")
        sender = env.text("WEERBAAR_SMTP_FROM") or default.smtp_from
        problem = email_address_problem(sender)
        if problem:
            raise ConfigError(f"WEERBAAR_SMTP_FROM: {problem}")
        return cls(
            smtp_host=env.text("WEERBAAR_SMTP_HOST") or default.smtp_host,
            smtp_port=env.integer("WEERBAAR_SMTP_PORT", default.smtp_port, low=1, high=65535),
            smtp_from=sender,
            smtp_starttls=env.flag("WEERBAAR_SMTP_STARTTLS", default.smtp_starttls),
            smtp_user=user,
            smtp_password=password,
            attempts=env.integer("WEERBAAR_NOTIFY_ATTEMPTS", default.attempts, low=1, high=100),
            backoff=env.seconds("WEERBAAR_NOTIFY_BACKOFF", default.backoff, zero_ok=True),
            timeout=env.seconds("WEERBAAR_NOTIFY_TIMEOUT", default.timeout, zero_ok=False),
        )

    @property
    def lease(self) -> dt.timedelta:
        """How long a claimed row is left to its deliverer before another may take it
        (its deliverer died): longer than any send, which is a few network
        operations of at most ``timeout`` each."""
        return dt.timedelta(seconds=max(300.0, 10 * self.timeout))

    def wait_after(self, attempt: int) -> dt.timedelta:
        """The wait after failed attempt number ``attempt`` (1 for the first)."""
        seconds = self.backoff * 2.0 ** min(attempt - 1, 64)
        limit = MAX_NOTIFY_WAIT.total_seconds()
        return min(dt.timedelta(seconds=min(seconds, limit)), MAX_NOTIFY_WAIT)


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
    """The settings from ``environ`` (default: this process's environment), with the
    ``--db`` and ``--user`` options first. A value that cannot be used is refused
    here, at start, naming its variable."""
    env = os.environ if environ is None else environ
    db_url = db or env.get("WEERBAAR_DB") or default_db_url()
    actor = user or env.get("WEERBAAR_USER") or f"cli:{_system_user()}"
    actor = actor.strip()
    if not actor or len(actor) > 128:
        raise ConfigError("the user name must be 1–128 characters")
    return Settings(db_url=db_url, actor=actor)
