"""Fixtures that mirror the entry points: a fresh database per test on SQLite and on
PostgreSQL, a service context, and a CLI runner pointed at the same database.

PostgreSQL comes from ``WEERBAAR_TEST_PG_URL`` (``scripts/test`` starts a throw-away
cluster and sets it); without it, the local server on 127.0.0.1:5432 is used. A
PostgreSQL that cannot be reached is an error, never a skip.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from tests.helpers import REPORTED
from weerbaar.services.context import Context
from weerbaar.storage.db import Database

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def pytest_configure(config: pytest.Config) -> None:
    """One key folder for the audit trails of the whole run, set before any test module
    (some build an app at import) makes a database."""
    if "WEERBAAR_KEY_DIR" not in os.environ:
        folder = tempfile.mkdtemp(prefix="weerbaar-keys-")
        os.environ["WEERBAAR_KEY_DIR"] = folder
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


def _pg_admin_url() -> str:
    return os.environ.get("WEERBAAR_TEST_PG_URL", DEFAULT_PG)


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[object]:
    engine = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except Exception as exc:
        pytest.fail(
            f"PostgreSQL at {_pg_admin_url()} is not reachable ({exc}); run the tests with "
            "scripts/test, which starts one, or set WEERBAAR_TEST_PG_URL",
            pytrace=False,
        )
    yield engine
    engine.dispose()


def _fresh_pg_database(admin: object) -> Iterator[str]:
    name = f"weerbaar_test_{uuid.uuid4().hex[:12]}"
    assert hasattr(admin, "connect")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(_pg_admin_url()).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/register.db"
    else:
        yield from _fresh_pg_database(request.getfixturevalue("pg_admin"))


@pytest.fixture
def sqlite_url(tmp_path: object) -> str:
    return f"sqlite:///{tmp_path}/other.db"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def ctx(db: Database) -> Context:
    return Context(db=db, actor="test:analyst")


@pytest.fixture
def runner(db_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("WEERBAAR_DB", db_url)
    monkeypatch.setenv("WEERBAAR_USER", "test:cli")
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The figures tests measured, so that they stand in the output of every run."""
    if REPORTED:
        terminalreporter.section("measured")
        for line in REPORTED:
            terminalreporter.write_line(line)
