"""The real app in a real browser: uvicorn serves a demo-loaded register on a free
loopback port from a background thread, and Playwright drives headless chromium.

Playwright runs the distribution's chromium (``/usr/bin/chromium``, or
``WEERBAAR_CHROMIUM``), which ``scripts/test`` installs; Playwright's own browser
download is never used. A missing browser fails the tests: it is never a skip.
A failing test leaves a screenshot of its page in /tmp.
"""

from __future__ import annotations

import dataclasses
import os
import re
import socket
import threading
import time
import weakref
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pyotp
import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from sqlalchemy import update

from tests.helpers import settings_for, trail_config
from tests.notify_receivers import free_port
from weerbaar.config import DeliverySettings
from weerbaar.services import accounts
from weerbaar.services.context import Context
from weerbaar.services.demo import load_demo
from weerbaar.services.second_factors import begin_totp, confirm_totp
from weerbaar.storage.db import Database
from weerbaar.storage.tables import second_factors
from weerbaar.web.app import create_app

PASSWORD = "correct horse battery staple"
SCREENSHOTS = Path("/tmp")
START_TIMEOUT = 20.0
ACTION_TIMEOUT_MS = 20_000  # the first dashboard lays out its diagram's labels


@dataclass(frozen=True, slots=True)
class Person:
    username: str
    role: str
    organisation: str
    clearance: str


# An analyst of the service that owns the demo's stg-c scenarios, one of another
# service cleared even higher, a viewer, and the coordinator who decides tiers.
ANALYST = Person("anna", "analyst", "aivd", "stg-c")
OUTSIDER = Person("otto", "analyst", "mivd", "stg-g")
VIEWER = Person("vera", "viewer", "nctv", "dep-v")
COORDINATOR = Person("cora", "coordinator", "nctv", "stg-g")
PEOPLE = (ANALYST, OUTSIDER, VIEWER, COORDINATOR)


# The live server behind each browser context, for helpers that are handed a page.
SERVERS: weakref.WeakKeyDictionary[BrowserContext, LiveServer] = weakref.WeakKeyDictionary()


def at_path(path: str) -> Callable[[str], bool]:
    """For ``page.wait_for_url``: the page is at ``path``. A glob like "**/scenarios"
    would also match ".../login/second-factor?next=/scenarios", where the wait began."""
    return lambda url: urlparse(url).path == path


def server_of(page: Page) -> LiveServer:
    return SERVERS[page.context]


@dataclass(slots=True)
class LiveServer:
    url: str
    db: Database
    smtp_port: int  # where the app sends e-mail; nobody listens unless a test serves it
    errors: list[str] = field(default_factory=list)
    # Each person's authenticator app: the TOTP secret they enrolled with.
    totp: dict[str, str] = field(default_factory=dict)

    def fresh_code(self, username: str) -> str:
        """A code of that person's app that the server has not taken yet: each code
        works once, and the flows sign the same people in many times a minute (a test
        of its own shows a used code refused)."""
        with self.db.transaction(write=True) as connection:
            connection.execute(
                update(second_factors)
                .where(second_factors.c.username == username)
                .values(last_step=None)
            )
        return pyotp.TOTP(self.totp[username]).now()


def _chromium() -> str:
    path = os.environ.get("WEERBAAR_CHROMIUM", "/usr/bin/chromium")
    if not os.access(path, os.X_OK):
        pytest.fail(
            f"no chromium at {path}: the browser tests need the Debian package 'chromium' "
            "(scripts/test installs it; or apt-get install chromium, or set "
            "WEERBAAR_CHROMIUM)",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path = tmp_path_factory.mktemp("browser") / "register.db"
    db = Database(f"sqlite:///{path}", trail=trail_config())
    db.upgrade()
    operator = Context(db=db, actor="test:setup")
    load_demo(operator)
    enrolled: dict[str, str] = {}
    for person in PEOPLE:
        user = accounts.add_user(
            operator,
            username=person.username,
            password=PASSWORD,
            role=person.role,
            organisation=person.organisation,
            clearance=person.clearance,
        )
        app_secret = begin_totp(operator, user).secret
        confirm_totp(operator, user, pyotp.TOTP(app_secret).now())
        enrolled[person.username] = app_secret

    # Binding here, before the thread starts, gives a free port without a race.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    smtp_port = free_port()
    delivery = DeliverySettings(smtp_host="127.0.0.1", smtp_port=smtp_port)
    app = create_app(dataclasses.replace(settings_for(db), delivery=delivery), db=db)
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            pytest.fail(f"the app did not start on 127.0.0.1:{port}", pytrace=False)
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", db, smtp_port, totp=enrolled)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
        db.dispose()
        assert not thread.is_alive(), "the app did not stop"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=_chromium(), headless=True)
    yield chromium
    chromium.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def page(
    browser: Browser, live_server: LiveServer, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A fresh browser context (no cookies) on the live server. Script errors on any
    page are collected in ``live_server.errors``."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    tab = context.new_page()
    SERVERS[context] = live_server
    live_server.errors.clear()
    tab.on("pageerror", lambda error: live_server.errors.append(str(error)))
    yield tab
    if request.node.stash.get(_FAILED, False):
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        shot = SCREENSHOTS / f"weerbaar-browser-{name}.png"
        tab.screenshot(path=str(shot), full_page=True)
        print(f"screenshot of the failed page: {shot} (at {tab.url})")
    context.close()
