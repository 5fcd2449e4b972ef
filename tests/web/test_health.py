"""``/healthz`` and ``/readyz`` on both databases: ready when everything is, unready
(503) with the failing check named when the database is gone, the schema behind, the
trail's keys or checkpoint folder out of reach, or a scheduler silent; never telling
an address, a path or an error; and answering while the database is down."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.helpers import settings_for, trail_config
from weerbaar.services.readiness import CHECKS
from weerbaar.services.schedulers import NOTIFICATIONS, record_beat
from weerbaar.storage.db import Database
from weerbaar.web.app import create_app

PG_CLUSTER = Path(__file__).parents[2] / "scripts" / "pg-cluster"


@contextmanager
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(db), db=db)) as browser:
        yield browser


def readiness(browser: TestClient, *, status: int) -> dict[str, str]:
    """The checks ``/readyz`` names, after holding its answer to what it may say."""
    answer = browser.get("/readyz")
    assert answer.status_code == status, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["status"] == ("ready" if status == 200 else "unready")
    checks: dict[str, str] = body["checks"]
    assert tuple(checks) == CHECKS and set(checks.values()) <= {"ok", "failing"}
    return checks


def failing(checks: dict[str, str]) -> set[str]:
    return {name for name, state in checks.items() if state == "failing"}


def held_back(body: str, db: Database) -> None:
    """Nothing of the installation in an answer: no address, file or folder."""
    url = make_url(db.url)
    for told in (db.url, db.display_url(), str(db.trail.key_dir), str(db.trail.checkpoint_dir)):
        assert told not in body
    for part in (url.host, url.database, str(url.port) if url.port else None):
        if part:
            assert part not in body


def test_healthy_and_ready_and_telling_nothing_more(db: Database) -> None:
    with client(db) as browser:
        alive = browser.get("/healthz")
        assert alive.status_code == 200 and alive.json() == {"status": "ok"}
        assert alive.headers["cache-control"] == "no-store" and "set-cookie" not in alive.headers
        assert failing(readiness(browser, status=200)) == set()
        held_back(browser.get("/readyz").text, db)
        # Not part of the API the schema describes.
        paths = browser.get("/api/v1/openapi.json").json()["paths"]
        assert "/healthz" not in paths and "/readyz" not in paths


def test_a_checkpoint_folder_that_cannot_be_made_is_unready(db: Database, tmp_path: Path) -> None:
    # A file where the folder should be: not even root can make the folder there.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file\n")
    trail = dataclasses.replace(db.trail, checkpoint_dir=blocker / "checkpoints")
    blocked = Database(db.url, trail=trail)
    try:
        with client(blocked) as browser:
            assert failing(readiness(browser, status=503)) == {"checkpoints"}
            held_back(browser.get("/readyz").text, blocked)
    finally:
        blocked.dispose()


def test_missing_trail_keys_are_unready(db: Database, tmp_path: Path) -> None:
    empty = tmp_path / "no-keys"
    empty.mkdir()
    trail = dataclasses.replace(db.trail, key_dir=empty)
    keyless = Database(db.url, trail=trail)
    try:
        with client(keyless) as browser:
            assert failing(readiness(browser, status=503)) == {"keys"}
    finally:
        keyless.dispose()


def test_a_schema_behind_the_code_is_unready(db: Database) -> None:
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0019'"))
    with client(db) as browser:
        assert failing(readiness(browser, status=503)) == {"schema"}


def test_a_silent_scheduler_is_unready_until_it_beats_again(db: Database) -> None:
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    record_beat(db, NOTIFICATIONS, 30, now=long_ago)
    with client(db) as browser:
        assert failing(readiness(browser, status=503)) == {"schedulers"}
        record_beat(db, NOTIFICATIONS, 30)
        assert failing(readiness(browser, status=200)) == set()


@pytest.fixture
def sqlite_register(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/gone.db", trail=trail_config())
    database.upgrade()
    yield database
    database.dispose()


def test_a_register_file_that_is_gone_is_unready(sqlite_register: Database) -> None:
    path = Path(str(make_url(sqlite_register.url).database))
    with client(sqlite_register) as browser:
        readiness(browser, status=200)
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        checks = readiness(browser, status=503)
        # The schema and the schedulers cannot be known without the database.
        assert failing(checks) == {"database", "schema", "schedulers"}
        assert browser.get("/healthz").status_code == 200
        # The probe never makes a new, empty register where the old one was.
        assert not path.exists()


def _cluster(*args: str) -> str:
    done = subprocess.run(
        [str(PG_CLUSTER), *args], capture_output=True, text=True, check=False, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def own_cluster() -> Iterator[tuple[str, str]]:
    """A PostgreSQL server of this test's own, which it may stop and start: (its
    folder, the register's URL)."""
    # Under /tmp, which the cluster's own user can reach when the tests run as root.
    folder = tempfile.mkdtemp(prefix="weerbaar-ready-", dir="/tmp")
    try:
        url = _cluster("start", folder)
        yield folder, url
    finally:
        if Path(folder, ".weerbaar-pg-cluster").exists():
            _cluster("stop", folder)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def test_readiness_follows_a_postgresql_server_that_goes_away_and_returns(
    own_cluster: tuple[str, str],
) -> None:
    folder, url = own_cluster
    register = Database(url, trail=trail_config())
    register.upgrade()
    try:
        with client(register) as browser:
            assert failing(readiness(browser, status=200)) == set()
            _cluster("halt", folder)
            down = readiness(browser, status=503)
            assert failing(down) == {"database", "schema", "schedulers"}
            held_back(browser.get("/readyz").text, register)
            # Nothing on the way to these answers touches the database.
            assert browser.get("/healthz").status_code == 200
            _cluster("resume", folder)
            # The pool tests its connections before use: the old ones, broken by the
            # restart, are replaced.
            assert failing(readiness(browser, status=200)) == set()
    finally:
        register.dispose()


def test_readiness_needs_no_session_and_no_form(db: Database) -> None:
    with client(db) as browser:
        # No cookie, no token, no form, and no limit on how often it is asked.
        for _ in range(30):
            assert browser.get("/readyz").status_code == 200
            assert browser.get("/healthz").status_code == 200
        assert not browser.cookies


def test_many_asking_at_once_share_one_check(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Anyone may ask, and each check opens a connection and writes a file: callers who
    ask while a check runs get that check's answer, so a flood costs one at a time."""
    from weerbaar.services.readiness import check_readiness

    started = []
    gate = threading.Event()

    def counted(database: Database) -> object:
        started.append(1)
        gate.wait(5)  # hold the first check until every caller has asked
        return check_readiness(database)

    monkeypatch.setattr("weerbaar.web.health.check_readiness", counted)
    app = create_app(settings_for(db), db=db)

    async def ask_together() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            asking = [asyncio.create_task(http.get("/readyz")) for _ in range(12)]
            await asyncio.sleep(0.2)
            gate.set()
            return await asyncio.gather(*asking)

    answers = asyncio.run(ask_together())
    assert [a.status_code for a in answers] == [200] * 12
    assert len(started) == 1
    assert TestClient(app).get("/readyz").status_code == 200
    assert len(started) == 2  # a later request gets a check of its own
