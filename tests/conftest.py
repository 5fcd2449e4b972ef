"""Fixtures that mirror the entry points: a fresh database per test on SQLite and on
PostgreSQL, a service context, and a CLI runner pointed at the same database.

PostgreSQL comes from ``WEERBAAR_TEST_PG_URL`` (``scripts/test`` starts a throw-away
cluster and sets it); without it, the local server on 127.0.0.1:5432 is used. A
PostgreSQL that cannot be reached is an error, never a skip.
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.main
import typer.testing
from argon2 import PasswordHasher, profiles
from sqlalchemy import create_engine, text, update
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from tests.helpers import REPORTED, cli_runner, trail_config
from tests.sso_provider import running_provider
from weerbaar.config import TrailConfig
from weerbaar.log_format import configure_logging
from weerbaar.services import accounts
from weerbaar.services.context import Context
from weerbaar.services.demo import load_demo
from weerbaar.storage.audit_log import Head
from weerbaar.storage.db import Database
from weerbaar.storage.tables import audit_head
from weerbaar.storage.trail_keys import create_keys
from weerbaar.storage.trail_seal import guard_statements, unguard_statements

# Every log line of the run is searched for secrets and classified titles at its end.
pytest_plugins = ["tests.log_scan"]

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# PostgreSQL 15 and later copy a database through the write-ahead log by default, which
# suits a large database; the tests' are small and made by the hundred, and copying
# their files is two to four times quicker (measured on the throw-away cluster).
COPY = "STRATEGY FILE_COPY"


def pytest_configure(config: pytest.Config) -> None:
    """One key folder for the audit trails of the whole run, set before any test module
    (some build an app at import) makes a database."""
    # The tests read English unless they choose Dutch (a new installation speaks Dutch).
    os.environ["WEERBAAR_LANG"] = "en"
    # typer turns the app into click commands on every CliRunner.invoke, a fifth of a
    # second for weerbaar's two hundred commands; the commands do not change between
    # invocations (help is put in the reader's language as each one starts), so the
    # run builds them once.
    typer.testing._get_command = functools.cache(typer.main.get_command)  # type: ignore[attr-defined]
    # A password hashed at production cost takes a third of a second and 64 MiB, and the
    # tests make over a thousand accounts; they hash with argon2's cheapest parameters,
    # and test_accounts holds the service itself to its production ones.
    accounts._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    if "WEERBAAR_KEY_DIR" not in os.environ:
        folder = tempfile.mkdtemp(prefix="weerbaar-keys-")
        os.environ["WEERBAAR_KEY_DIR"] = folder
        # Made here, once, so that parallel workers never race to make them.
        create_keys(TrailConfig.from_env(os.environ))
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
        connection.execute(text(f'CREATE DATABASE "{name}" {COPY}'))
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
def pg_url(pg_admin: object) -> Iterator[str]:
    """A new, empty PostgreSQL database of this test's own."""
    yield from _fresh_pg_database(pg_admin)


@pytest.fixture
def sqlite_url(tmp_path: object) -> str:
    return f"sqlite:///{tmp_path}/other.db"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A register migrated once; each test's database starts as a copy of it."""
    path = tmp_path_factory.mktemp("schema-template") / "register.db"
    database = Database(f"sqlite:///{path}", trail=trail_config())
    database.upgrade()
    database.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template(pg_admin: object) -> Iterator[str]:
    """The same on PostgreSQL, as a template database."""
    name = f"weerbaar_template_{uuid.uuid4().hex[:12]}"
    assert hasattr(pg_admin, "connect")
    with pg_admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database = Database(
        make_url(_pg_admin_url()).set(database=name).render_as_string(False), trail=trail_config()
    )
    database.upgrade()
    database.dispose()
    yield name
    with pg_admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_demo_template(sqlite_template: Path) -> Path:
    """The migrated register with the demo profile loaded, once per run."""
    path = sqlite_template.with_name("demo.db")
    shutil.copyfile(sqlite_template, path)
    database = Database(f"sqlite:///{path}", trail=trail_config())
    load_demo(Context(db=database, actor="test:setup"))
    database.dispose()
    return path


@pytest.fixture(scope="session")
def pg_demo_template(pg_admin: object, pg_template: str) -> Iterator[str]:
    name = f"weerbaar_demo_{uuid.uuid4().hex[:12]}"
    assert hasattr(pg_admin, "connect")
    with pg_admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}" {COPY}'))
    database = Database(
        make_url(_pg_admin_url()).set(database=name).render_as_string(False), trail=trail_config()
    )
    load_demo(Context(db=database, actor="test:setup"))
    database.dispose()
    yield name
    with pg_admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _from_template(request: pytest.FixtureRequest, db_url: str, *, demo: bool = False) -> None:
    """Put a copy of the migrated template (with the demo profile, if ``demo``) where
    ``db_url`` points: far quicker than running every migration for every test."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        template: Path = request.getfixturevalue(
            "sqlite_demo_template" if demo else "sqlite_template"
        )
        assert url.database is not None
        for suffix in ("", "-wal", "-shm"):
            found = template.with_name(template.name + suffix)
            if found.exists():
                shutil.copyfile(found, url.database + suffix)
        return
    name = request.getfixturevalue("pg_demo_template" if demo else "pg_template")
    admin = request.getfixturevalue("pg_admin")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{url.database}" TEMPLATE "{name}" {COPY}'))


def _own_trail(database: Database) -> None:
    """Give a copied, still empty trail a name of its own, as a new database gets, so
    that its checkpoints are not mixed with those of other copies."""
    keys = database.keys()
    trail = str(uuid.uuid4())
    genesis = keys.chain_key(trail).genesis
    with database.engine.begin() as connection:
        dialect = connection.dialect.name
        for statement in unguard_statements(dialect):
            connection.exec_driver_sql(statement)
        connection.execute(update(audit_head).values(trail=trail, hash=genesis))
        for statement in guard_statements(dialect):
            connection.exec_driver_sql(statement)
    database.write_checkpoint(Head(0, genesis, trail, keys.key_id))


@pytest.fixture
def db(db_url: str, request: pytest.FixtureRequest) -> Iterator[Database]:
    _from_template(request, db_url)
    database = Database(db_url, trail=trail_config())
    _own_trail(database)
    yield database
    database.dispose()


@pytest.fixture
def demo_register(db_url: str, request: pytest.FixtureRequest) -> Iterator[Database]:
    """The demo profile on this test's database, copied from one loaded once per run.
    The copies share their trail's name, so a test that checks checkpoints uses ``db``."""
    _from_template(request, db_url, demo=True)
    database = Database(db_url, trail=trail_config())
    yield database
    database.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_demo_register(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A copy of the demo register that every test of a module shares, on each database:
    for modules whose tests only read, or whose writes the others may see."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('module-demo')}/register.db"
        _from_template(request, url, demo=True)
        database = Database(url, trail=trail_config())
        yield database
        database.dispose()
        return
    for url in _fresh_pg_database(request.getfixturevalue("pg_admin")):
        _from_template(request, url, demo=True)
        database = Database(url, trail=trail_config())
        yield database
        database.dispose()


@pytest.fixture
def ctx(db: Database) -> Context:
    return Context(db=db, actor="test:analyst")


@pytest.fixture
def runner(db_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    return cli_runner(db_url, monkeypatch)


@pytest.fixture(scope="session")
def oidc_issuer() -> Iterator[str]:
    """A real OpenID provider on loopback for the run (tests/sso_provider.py); its issuer."""
    with running_provider() as issuer:
        yield issuer


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A parallel worker hands its measured figures to the process that reports."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["weerbaar_reported"] = list(REPORTED)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    REPORTED.extend(getattr(node, "workeroutput", {}).get("weerbaar_reported", []))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The figures tests measured, so that they stand in the output of every run."""
    if REPORTED:
        terminalreporter.section("measured")
        for line in REPORTED:
            terminalreporter.write_line(line)


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """What configure_logging writes, as JSON lines at DEBUG, with logging put back as it
    was afterwards."""
    stream = io.StringIO()
    restore = configure_logging("json", "DEBUG", stream=stream)
    try:
        yield stream
    finally:
        restore()
