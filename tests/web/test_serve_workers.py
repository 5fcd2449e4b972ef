"""``weerbaar serve --workers 2``: the app on two forked worker processes that agree
on who is signed in and on how many sign-ins failed, because both live in the
database. Run as an operator runs it, in a process of its own on a loopback port,
over both databases."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import select

from weerbaar.services import accounts
from weerbaar.services.accounts import MAX_FAILURES_PER_ACCOUNT
from weerbaar.services.context import Context
from weerbaar.storage.db import Database
from weerbaar.storage.tables import login_failures

PASSWORD = "correct horse battery staple"
FORGED = "203.0.113.7"
STARTUP = 60.0  # seconds: two workers import the app and open the database


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc: no library needed)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # it ended while we looked
        # The command name (in parentheses) may hold spaces: the fields follow it.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            out.append(int(entry.name))
    return out


@dataclass
class Server:
    base: str
    pid: int
    returncode: int | None = None
    errors: str = ""


@contextmanager
def served(db_url: str, workers: int) -> Iterator[Server]:
    port = _free_port()
    env = {**os.environ, "WEERBAAR_DB": db_url}
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from weerbaar.cli.main import run; run()",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--notify-interval",
            "0",
            "--poll-interval",
            "0",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = Server(f"http://127.0.0.1:{port}", process.pid)
    base = server.base
    try:
        deadline = time.monotonic() + STARTUP
        while True:
            if process.poll() is not None:
                _, errors = process.communicate()
                raise AssertionError(errors.decode("utf-8", "replace"))
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not answer in time"
            time.sleep(0.2)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            _, errors = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            _, errors = process.communicate(timeout=30)
        server.returncode = process.returncode
        server.errors = errors.decode("utf-8", "replace")


def _one_shot(base: str) -> httpx.Client:
    """A client that opens a new connection per request, so that requests go to
    whichever worker accepts them rather than to one kept-alive worker."""
    return httpx.Client(base_url=base, limits=httpx.Limits(max_keepalive_connections=0), timeout=30)


def _sign_in(client: httpx.Client, password: str) -> httpx.Response:
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    return client.post(
        "/login",
        data={"username": "reader", "password": password, "csrf_token": token.group(1)},
        # No proxy is named, so no worker may believe this.
        headers={"X-Forwarded-For": FORGED},
    )


def test_two_workers_share_sign_ins_and_their_limits(demo_register: Database) -> None:
    accounts.add_user(
        Context(db=demo_register, actor="test:setup"),
        username="reader",
        password=PASSWORD,
        # A reader of public records: no second factor to set up before the pages.
        role="viewer",
        organisation="nctv",
        clearance="public",
    )
    with served(demo_register.url, workers=2) as server:
        base = server.base
        # The arbiter forks two workers, each an app of its own.
        assert len(_children(server.pid)) == 2
        with _one_shot(base) as client:
            signed_in = _sign_in(client, PASSWORD)
            assert signed_in.status_code == 303, signed_in.text
            # Signed in whichever worker answers: the session is in the database.
            for _ in range(24):
                me = client.get("/account")
                assert me.status_code == 200 and "reader" in me.text
            # Failed sign-ins are counted in one place, whichever worker takes them: after
            # the account's limit even the right password is refused, by any worker.
            for _ in range(MAX_FAILURES_PER_ACCOUNT):
                with _one_shot(base) as stranger:
                    assert _sign_in(stranger, "wrong password!").status_code == 401
            for _ in range(4):
                with _one_shot(base) as late:
                    assert _sign_in(late, PASSWORD).status_code == 429
        with demo_register.transaction() as connection:
            counted = connection.execute(
                select(login_failures.c.address).where(login_failures.c.username == "reader")
            ).scalars()
            addresses = list(counted)
        assert len(addresses) == MAX_FAILURES_PER_ACCOUNT
        assert set(addresses) == {"127.0.0.1"}
    # Stopped by SIGTERM, the arbiter lets its workers finish and ends cleanly.
    assert server.returncode == 0, server.errors
