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
``WEERBAAR_SESSION_IDLE``       minutes without a request after which a browser
                                session ends (30)
``WEERBAAR_SESSION_MAX``        hours after which a session ends regardless (12)
``WEERBAAR_TOKEN_DAYS``,        days a new API token lasts unless asked otherwise
``WEERBAAR_TOKEN_MAX_DAYS``     (90), and the most it may be given (365)
``WEERBAAR_SECOND_FACTOR_ALL``  every account signs in with a second factor (off:
                                those ``data/access/second_factor.yaml`` names)
``WEERBAAR_OIDC_CONFIG``        a YAML file of the OpenID providers people may sign
                                in with (none); docs/single-sign-on.md
``WEERBAAR_LOG_FORMAT``         log lines as ``json``, one object a line (the
                                default), or ``text``; docs/operations.md
``WEERBAAR_LOG_LEVEL``          the least severe log lines written: ``DEBUG``,
                                ``INFO`` (the default), ``WARNING``, ``ERROR`` or
                                ``CRITICAL``
``WEERBAAR_METRICS_TOKEN``      the bearer token a Prometheus scrape of ``/metrics``
                                must bring, 32 characters or more (none: no
                                ``/metrics``); docs/operations.md
``WEERBAAR_PG_BINDIR``          the folder of PostgreSQL's pg_dump and pg_restore
                                for backups (the PATH, else the newest
                                ``/usr/lib/postgresql/*/bin``); docs/backups.md
``WEERBAAR_BACKUP_PASSPHRASE``  the passphrase that seals the keys in a backup
                                made or read with them (none: asked)
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

import yaml
from platformdirs import user_config_dir, user_data_dir

from weerbaar.domain.addresses import email_address_problem
from weerbaar.domain.languages import DEFAULT_LANGUAGE, LANGUAGES, supported
from weerbaar.domain.single_sign_on import Provider
from weerbaar.domain.single_sign_on_file import read_providers
from weerbaar.errors import ConfigError

APP_NAME = "weerbaar"
DASK_VARIABLE = "WEERBAAR_DASK"
SOURCE_SECRETS_VARIABLE = "WEERBAAR_SOURCE_SECRETS"
LANGUAGE_VARIABLE = "WEERBAAR_LANG"
ADMIN_PASSWORD_VARIABLE = "WEERBAAR_ADMIN_PASSWORD"  # noqa: S105 - a variable name
OIDC_VARIABLE = "WEERBAAR_OIDC_CONFIG"
METRICS_TOKEN_VARIABLE = "WEERBAAR_METRICS_TOKEN"  # noqa: S105 - a variable name
# A scrape token is compared, not hashed: it must be too long to guess.
MIN_METRICS_TOKEN = 32
LOG_FORMATS = ("json", "text")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
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
class TrailConfig:
    """Where the audit trail's keys and checkpoints live and how often a checkpoint
    is taken.

    ``checkpoint_every`` is in entries: 1 (the default) signs the head after every
    write, so not even the newest entry can be cut off unseen.
    ``syslog`` also sends every checkpoint to the local syslog.
    """

    key_dir: Path
    checkpoint_dir: Path
    checkpoint_every: int = 1
    syslog: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TrailConfig:
        """``WEERBAAR_KEY_DIR``, ``WEERBAAR_CHECKPOINT_DIR``, ``_EVERY`` and ``_SYSLOG``."""
        key_dir = Path(
            env.get("WEERBAAR_KEY_DIR") or Path(user_config_dir(APP_NAME, appauthor=False))
        ).expanduser()
        checkpoints = Path(env.get("WEERBAAR_CHECKPOINT_DIR") or key_dir / "checkpoints")
        every_text = env.get("WEERBAAR_CHECKPOINT_EVERY", "1")
        try:
            every = int(every_text)
        except ValueError:
            every = 0
        if not 1 <= every <= 1_000_000:
            raise ConfigError(
                f"WEERBAAR_CHECKPOINT_EVERY must be a whole number of entries from 1 to "
                f"1000000, not {every_text!r}"
            )
        syslog = env.get("WEERBAAR_CHECKPOINT_SYSLOG", "").lower() in _TRUE
        return cls(key_dir, checkpoints.expanduser(), every, syslog)

    @classmethod
    def within(cls, folder: Path) -> TrailConfig:
        """Keys and checkpoints inside ``folder``: for a throw-away database only (a
        benchmark's), since keys belong apart from the database they protect."""
        return cls(folder / "keys", folder / "keys" / "checkpoints")


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
class SignInSettings:
    """How long a sign-in lasts. The defaults are those of OWASP ASVS 3.3.2 at level 2:
    a session ends after 30 minutes without a request, and after 12 hours whatever
    happens. A new API token lasts ``token_days`` unless its maker asks for fewer or
    more, never more than ``token_max_days``."""

    session_idle: dt.timedelta = dt.timedelta(minutes=30)
    session_max: dt.timedelta = dt.timedelta(hours=12)
    token_days: int = 90
    token_max_days: int = 365
    second_factor_for_all: bool = False  # not only those data/access/second_factor.yaml names

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SignInSettings:
        """``WEERBAAR_SESSION_IDLE`` (minutes), ``WEERBAAR_SESSION_MAX`` (hours),
        ``WEERBAAR_TOKEN_DAYS``, ``WEERBAAR_TOKEN_MAX_DAYS`` and
        ``WEERBAAR_SECOND_FACTOR_ALL``."""
        env = _Env(environ)
        idle = env.integer("WEERBAAR_SESSION_IDLE", 30, low=1, high=24 * 60)
        most = env.integer("WEERBAAR_SESSION_MAX", 12, low=1, high=7 * 24)
        max_days = env.integer("WEERBAAR_TOKEN_MAX_DAYS", 365, low=1, high=3650)
        days = env.integer("WEERBAAR_TOKEN_DAYS", min(90, max_days), low=1, high=max_days)
        if idle > most * 60:
            raise ConfigError(
                f"WEERBAAR_SESSION_IDLE ({idle} minutes) must not be longer than "
                f"WEERBAAR_SESSION_MAX ({most} hours)"
            )
        everyone = env.flag("WEERBAAR_SECOND_FACTOR_ALL", False)
        return cls(dt.timedelta(minutes=idle), dt.timedelta(hours=most), days, max_days, everyone)


@dataclass(frozen=True, slots=True)
class WebSettings:
    """How the web app runs. ``notify_interval``: seconds between rounds of
    delivering due notifications while it runs (None: not at all, as in tests that
    deliver themselves). ``admin_password``: that of the first administrator, made
    when there are no accounts yet (None: a new one, printed once)."""

    secure_cookies: bool = False
    notify_interval: float | None = None
    # Seconds between looks for sources due to be polled (None: not at all).
    poll_interval: float | None = None
    # Load the compiled engines as the app starts (weerbaar serve), not at the first page.
    warm_engines: bool = False
    admin_password: str | None = field(default=None, repr=False)
    # What a scrape of /metrics must bring as its bearer token (None: no /metrics).
    metrics_token: str | None = field(default=None, repr=False)
    # Where the worker processes of `weerbaar serve --workers N` keep their request
    # figures for a scrape to add up (None: one process, which keeps its own).
    metrics_dir: Path | None = None


@dataclass(frozen=True, slots=True)
class SingleSignOnSettings:
    """The OpenID providers people may sign in with: none unless
    ``WEERBAAR_OIDC_CONFIG`` names a file of them (docs/single-sign-on.md)."""

    providers: tuple[Provider, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SingleSignOnSettings:
        """The file ``WEERBAAR_OIDC_CONFIG`` names, with the client secrets from the
        variables it names."""
        named = _Env(environ).text(OIDC_VARIABLE)
        if named is None:
            return cls()
        path = Path(named).expanduser()
        try:
            document = yaml.safe_load(path.read_text("utf-8"))
        except OSError as exc:
            raise ConfigError(f"{OIDC_VARIABLE}: cannot read {path}: {exc.strerror}") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"{OIDC_VARIABLE}: {path} is not YAML: {exc}") from None
        return cls(read_providers(document, source=str(path), env=environ))

    def provider(self, key: str) -> Provider | None:
        return next((p for p in self.providers if p.key == key), None)


@dataclass(frozen=True, slots=True)
class BackupSettings:
    """How backups are made and read (docs/backups.md): the folder of PostgreSQL's
    pg_dump and pg_restore (None: found on the PATH, else the newest installed), and
    the passphrase that seals the trail's keys in a backup (None: asked for)."""

    pg_bindir: Path | None = None
    passphrase: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> BackupSettings:
        """``WEERBAAR_PG_BINDIR`` and ``WEERBAAR_BACKUP_PASSPHRASE``."""
        env = _Env(environ)
        bindir = env.text("WEERBAAR_PG_BINDIR")
        return cls(
            pg_bindir=None if bindir is None else Path(bindir).expanduser(),
            passphrase=environ.get("WEERBAAR_BACKUP_PASSPHRASE") or None,
        )


@dataclass(frozen=True, slots=True)
class LogSettings:
    """How log lines are written: ``format`` "json" (one object a line, for journald
    and log shippers) or "text" (for a person at a terminal), and the least severe
    ``level`` written (docs/operations.md)."""

    format: str = "json"
    level: str = "INFO"

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> LogSettings:
        """``WEERBAAR_LOG_FORMAT`` and ``WEERBAAR_LOG_LEVEL``."""
        env = _Env(environ)
        fmt = (env.text("WEERBAAR_LOG_FORMAT") or "json").casefold()
        if fmt not in LOG_FORMATS:
            raise ConfigError(f"WEERBAAR_LOG_FORMAT must be json or text, got {fmt!r}")
        level = (env.text("WEERBAAR_LOG_LEVEL") or "INFO").upper()
        if level not in LOG_LEVELS:
            raise ConfigError(
                f"WEERBAAR_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {level!r}"
            )
        return cls(fmt, level)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything weerbaar is told from outside, read once at start."""

    db_url: str
    actor: str
    trail: TrailConfig
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    web: WebSettings = field(default_factory=WebSettings)
    sign_in: SignInSettings = field(default_factory=SignInSettings)
    single_sign_on: SingleSignOnSettings = field(default_factory=SingleSignOnSettings)
    dask_scheduler: str | None = None  # batch work on Dask; None: local processes
    # The language of pages for readers who chose none, and of the command line.
    language: str = DEFAULT_LANGUAGE
    # The folder of the secrets sources name by file (docs/threat-intelligence.md).
    source_secrets: Path = field(default_factory=lambda: default_source_secrets())
    logs: LogSettings = field(default_factory=LogSettings)
    backup: BackupSettings = field(default_factory=BackupSettings)


def default_db_url() -> str:
    path = Path(user_data_dir(APP_NAME, appauthor=False)) / "weerbaar.db"
    return f"sqlite:///{path}"


def current_environment() -> Mapping[str, str]:
    """This process's environment as it is now, for what is read at each use rather
    than at start: a source's secret variable, so that a rotated secret is used from
    the next poll on."""
    return os.environ


def default_source_secrets() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "source-secrets"


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
    return Settings(
        db_url=db_url,
        actor=actor,
        trail=TrailConfig.from_env(env),
        delivery=DeliverySettings.from_env(env),
        logs=LogSettings.from_env(env),
        web=WebSettings(
            admin_password=env.get(ADMIN_PASSWORD_VARIABLE) or None,
            metrics_token=metrics_token_from_env(env),
        ),
        sign_in=SignInSettings.from_env(env),
        single_sign_on=SingleSignOnSettings.from_env(env),
        backup=BackupSettings.from_env(env),
        dask_scheduler=env.get(DASK_VARIABLE) or None,
        language=language_from_env(env),
        source_secrets=Path(env.get(SOURCE_SECRETS_VARIABLE) or default_source_secrets()),
    )


def metrics_token_from_env(env: Mapping[str, str]) -> str | None:
    """``WEERBAAR_METRICS_TOKEN``, refused when it is too short to withstand guessing."""
    token = _Env(env).text(METRICS_TOKEN_VARIABLE)
    if token is not None and len(token) < MIN_METRICS_TOKEN:
        raise ConfigError(
            f"{METRICS_TOKEN_VARIABLE} must be at least {MIN_METRICS_TOKEN} characters, not "
            f"{len(token)}: make one with python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'"
        )
    return token


def process_language() -> str:
    """The language of this process's own environment, for work no request or command
    chose one for; Dutch if ``WEERBAAR_LANG`` names one weerbaar does not speak."""
    try:
        return language_from_env(os.environ)
    except ConfigError:
        return DEFAULT_LANGUAGE


def environment_language(fallback: str) -> str:
    """The language the environment asks for now (a test may change it between runs
    of one process), or ``fallback`` where it names one weerbaar does not speak."""
    try:
        return language_from_env(os.environ)
    except ConfigError:
        return fallback


def language_from_env(env: Mapping[str, str]) -> str:
    """``WEERBAAR_LANG`` ("nl" or "en"), else the language of ``LANG`` if weerbaar
    speaks it, else Dutch. A ``WEERBAAR_LANG`` it does not speak stops the start."""
    chosen = env.get(LANGUAGE_VARIABLE, "").strip()
    if chosen:
        found = supported(chosen)
        if found is None:
            raise ConfigError(
                f"{LANGUAGE_VARIABLE}={chosen!r}: weerbaar speaks {' and '.join(LANGUAGES)}"
            )
        return found
    return supported(env.get("LANG")) or DEFAULT_LANGUAGE
