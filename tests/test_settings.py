"""Settings are read from the environment once, at start, in weerbaar.config, and
handed down: every variable reaches its part, a bad value is refused naming its
variable, and no other module reads the environment."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

import weerbaar
from weerbaar.config import (
    BackupSettings,
    DeliverySettings,
    Settings,
    SignInSettings,
    TrailConfig,
    WebSettings,
    load_settings,
)
from weerbaar.errors import ConfigError

SRC = Path(weerbaar.__file__).parent
# Environment variables weerbaar sets or passes on rather than reads as settings:
# numba's cache folder, the environment of a server a benchmark starts, and the folder
# where the worker processes of `weerbaar serve` share their metrics.
READS_ITS_OWN = {"config.py", "compute/numba_cache.py", "bench/web.py", "cli/serve.py"}


def test_every_variable_reaches_its_part(tmp_path: Path) -> None:
    env = {
        "WEERBAAR_DB": "sqlite:///x.db",
        "WEERBAAR_USER": "anna",
        "WEERBAAR_KEY_DIR": str(tmp_path / "keys"),
        "WEERBAAR_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
        "WEERBAAR_CHECKPOINT_EVERY": "10",
        "WEERBAAR_CHECKPOINT_SYSLOG": "yes",
        "WEERBAAR_SMTP_HOST": "mail.example",
        "WEERBAAR_SMTP_PORT": "587",
        "WEERBAAR_NOTIFY_ATTEMPTS": "3",
        "WEERBAAR_DASK": "tcp://scheduler:8786",
        "WEERBAAR_ADMIN_PASSWORD": "a long enough passphrase",
        "WEERBAAR_SESSION_IDLE": "15",
        "WEERBAAR_SESSION_MAX": "8",
        "WEERBAAR_TOKEN_DAYS": "30",
        "WEERBAAR_TOKEN_MAX_DAYS": "60",
        "WEERBAAR_SECOND_FACTOR_ALL": "yes",
        "WEERBAAR_METRICS_TOKEN": "a scrape token of more than 32 characters",
        "WEERBAAR_PG_BINDIR": "/usr/lib/postgresql/16/bin",
        "WEERBAAR_BACKUP_PASSPHRASE": "a backup passphrase",
    }
    settings = load_settings(environ=env)
    assert settings == Settings(
        db_url="sqlite:///x.db",
        actor="anna",
        trail=TrailConfig(tmp_path / "keys", tmp_path / "checkpoints", 10, True),
        delivery=DeliverySettings(smtp_host="mail.example", smtp_port=587, attempts=3),
        web=WebSettings(
            admin_password="a long enough passphrase",
            metrics_token="a scrape token of more than 32 characters",
        ),
        sign_in=SignInSettings(dt.timedelta(minutes=15), dt.timedelta(hours=8), 30, 60, True),
        dask_scheduler="tcp://scheduler:8786",
        backup=BackupSettings(Path("/usr/lib/postgresql/16/bin"), "a backup passphrase"),
    )
    assert "passphrase" not in repr(settings) and "scrape token" not in repr(settings)
    # The options given on the command line come first.
    given = load_settings(db="sqlite:///y.db", user="bert", environ=env)
    assert (given.db_url, given.actor) == ("sqlite:///y.db", "bert")


def test_nothing_set_means_the_defaults(tmp_path: Path) -> None:
    settings = load_settings(environ={"WEERBAAR_KEY_DIR": str(tmp_path)})
    assert settings.delivery == DeliverySettings()
    assert settings.web == WebSettings()
    assert settings.sign_in == SignInSettings()
    assert settings.dask_scheduler is None
    assert settings.trail == TrailConfig(tmp_path, tmp_path / "checkpoints")
    assert settings.db_url.startswith("sqlite:///") and settings.db_url.endswith("weerbaar.db")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("WEERBAAR_CHECKPOINT_EVERY", "often"),
        ("WEERBAAR_SMTP_PORT", "70000"),
        ("WEERBAAR_NOTIFY_TIMEOUT", "0"),
        ("WEERBAAR_SMTP_FROM", "two@one@example"),
        ("WEERBAAR_SESSION_IDLE", "0"),
        ("WEERBAAR_SESSION_MAX", "a day"),
        ("WEERBAAR_TOKEN_MAX_DAYS", "5000"),
        ("WEERBAAR_TOKEN_DAYS", "400"),
    ],
)
def test_a_bad_value_is_refused_at_start_naming_its_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        load_settings(environ={variable: value})


def test_no_other_module_reads_the_environment() -> None:
    readers = {
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob("*.py")
        if re.search(r"\bos\.environ\b|\bgetenv\(|\benviron\.get\(", path.read_text("utf-8"))
    }
    assert readers <= READS_ITS_OWN, sorted(readers - READS_ITS_OWN)


def test_an_idle_time_out_longer_than_the_session_is_refused() -> None:
    with pytest.raises(ConfigError, match="WEERBAAR_SESSION_IDLE"):
        load_settings(environ={"WEERBAAR_SESSION_IDLE": "120", "WEERBAAR_SESSION_MAX": "1"})
