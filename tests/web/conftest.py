"""Fixtures for the web app: a demo-loaded SQLite register, accounts, and clients
signed in the way a browser (session cookie) or a machine (bearer token) is.

The demo is loaded once per test session into a template file; every test gets its
own copy, so tests may write freely.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.helpers import make_token, open_session, settings_for, trail_config
from weerbaar.services import accounts
from weerbaar.services.accounts import User
from weerbaar.services.context import Context
from weerbaar.services.demo import load_demo
from weerbaar.storage.db import Database
from weerbaar.web.app import create_app
from weerbaar.web.auth import SESSION_COOKIE

PASSWORD = "correct horse battery staple"

MakeUser = Callable[..., User]


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A browser session: the client carries the cookie; forms need the CSRF token."""

    client: TestClient
    user: User
    csrf_token: str


SignIn = Callable[[User], SignedIn]
ApiClient = Callable[[User], TestClient]


def copy_database(source: Path, target: Path) -> str:
    """Copy a closed SQLite register (with any WAL left behind); its URL."""
    for suffix in ("", "-wal", "-shm"):
        found = source.with_name(source.name + suffix)
        if found.exists():
            shutil.copyfile(found, target.with_name(target.name + suffix))
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    database = Database(f"sqlite:///{path}", trail=trail_config())
    database.upgrade()
    load_demo(Context(db=database, actor="test:setup"))
    database.dispose()
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A register with the demo profile loaded, private to this test."""
    database = Database(
        copy_database(demo_template, tmp_path / "register.db"), trail=trail_config()
    )
    yield database
    database.dispose()


@pytest.fixture
def make_user(demo_db: Database) -> MakeUser:
    """``make_user(name, role=..., organisation=..., clearance=...)``: a new account in
    ``demo_db``, created by the local operator (no need-to-know applies)."""
    operator = Context(db=demo_db, actor="test:setup")

    def make(
        username: str,
        *,
        role: str = "analyst",
        organisation: str = "nctv",
        clearance: str = "dep-v",
    ) -> User:
        return accounts.add_user(
            operator,
            username=username,
            password=PASSWORD,
            role=role,
            organisation=organisation,
            clearance=clearance,
        )

    return make


@pytest.fixture
def app(demo_db: Database) -> FastAPI:
    return create_app(settings_for(demo_db), db=demo_db)


@pytest.fixture
def sign_in(app: FastAPI, demo_db: Database) -> Iterator[SignIn]:
    """``sign_in(user)``: a client with a fresh session of that user, as after the
    login form (which is tested on its own; here it would only cost argon2 time)."""
    clients: list[TestClient] = []

    def signed_in(user: User) -> SignedIn:
        secret, csrf = open_session(demo_db, user)
        client = TestClient(app, follow_redirects=False)
        client.cookies.set(SESSION_COOKIE, secret)
        clients.append(client)
        return SignedIn(client, user, csrf)

    yield signed_in
    for client in clients:
        client.close()


@pytest.fixture
def api_client(app: FastAPI, demo_db: Database) -> Iterator[ApiClient]:
    """``api_client(user)``: a client that sends a new API token of that user."""
    clients: list[TestClient] = []
    operator = Context(db=demo_db, actor="test:setup")

    def client_of(user: User) -> TestClient:
        token = make_token(operator, user.username, "tests")
        client = TestClient(
            app, follow_redirects=False, headers={"Authorization": f"Bearer {token}"}
        )
        clients.append(client)
        return client

    yield client_of
    for client in clients:
        client.close()


# -- on SQLite and PostgreSQL: the demo register, and clients with an API token -----

ApiClientFor = Callable[..., TestClient]


@pytest.fixture
def register(demo_register: Database) -> Database:
    return demo_register


@pytest.fixture
def operator(register: Database) -> Context:
    """The local operator: no need-to-know applies."""
    return Context(db=register, actor="test:setup")


@pytest.fixture
def client(register: Database, operator: Context) -> Iterator[ApiClientFor]:
    """``client(username, role=…, organisation=…, clearance=…)``: a new account and a
    client that sends an API token of it. The app is made at the first client, so
    that it reads the settings a test put in the environment before, as at a start."""
    apps: list[FastAPI] = []
    opened: list[TestClient] = []

    def make(
        username: str,
        *,
        role: str = "analyst",
        organisation: str = "nctv",
        clearance: str = "stg-g",
    ) -> TestClient:
        accounts.add_user(
            operator,
            username=username,
            password=PASSWORD,
            role=role,
            organisation=organisation,
            clearance=clearance,
        )
        token = make_token(operator, username, "tests")
        if not apps:
            apps.append(create_app(settings_for(register), db=register))
        made = TestClient(apps[0], headers={"Authorization": f"Bearer {token}"})
        opened.append(made)
        return made

    yield make
    for made in opened:
        made.close()
