"""Who a request comes from: proxy headers are believed only from proxies named in
``--forwarded-allow-ips``, so a client cannot choose the address it is audited and
throttled under. The app runs under uvicorn on a loopback port, as ``weerbaar
serve`` runs it."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.helpers import make_token, settings_for
from weerbaar.cli.main import app as cli
from weerbaar.cli.serve import server_config, trusted_proxies
from weerbaar.errors import ConfigError
from weerbaar.services import accounts
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context
from weerbaar.storage.db import Database
from weerbaar.storage.tables import login_failures
from weerbaar.web.app import create_app

PASSWORD = "correct horse battery staple"
FORGED = "203.0.113.7"
NEW_ORGANISATION = {"key": "veiligheidsregio-x", "name": "Veiligheidsregio X", "kind": "agency"}


@contextmanager
def served(db: Database, forwarded_allow_ips: list[str]) -> Iterator[httpx.Client]:
    """The app under uvicorn on a free loopback port, and a client of it."""
    import uvicorn

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = server_config(
        create_app(settings_for(db), db=db),
        host="127.0.0.1",
        port=port,
        forwarded_allow_ips=forwarded_allow_ips,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]})
    thread.start()
    try:
        while not server.started and thread.is_alive():
            threading.Event().wait(0.02)
        assert server.started, "uvicorn did not start"
        # httpx's five seconds are too short for a sign-in on a machine busy with
        # the rest of the run.
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join()
        listener.close()


def _admin_token(demo_db: Database) -> str:
    operator = Context(db=demo_db, actor="test:setup")
    accounts.add_user(
        operator,
        username="root",
        password=PASSWORD,
        role="administrator",
        organisation="nctv",
        clearance="stg-g",
    )
    return make_token(operator, "root", "tests")


def _failed_sign_in(client: httpx.Client) -> None:
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    answer = client.post(
        "/login",
        data={"username": "root", "password": "wrong password!", "csrf_token": token.group(1)},
        headers={"X-Forwarded-For": FORGED},
    )
    assert answer.status_code == 401


def _addresses(demo_db: Database) -> set[str]:
    """The addresses under which failed sign-ins were counted; and the audit actor."""
    with demo_db.transaction() as connection:
        failures = set(connection.execute(select(login_failures.c.address)).scalars())
    actor = recent_entries(demo_db, entity="organisations", key=NEW_ORGANISATION["key"])[0].actor
    return failures | {actor.rpartition("@")[2]}


def _act_with_a_forged_address(demo_db: Database, client: httpx.Client) -> None:
    created = client.post(
        "/api/v1/organisations",
        json=NEW_ORGANISATION,
        headers={"Authorization": f"Bearer {_admin_token(demo_db)}", "X-Forwarded-For": FORGED},
    )
    assert created.status_code == 201, created.text
    _failed_sign_in(client)


def test_by_default_a_client_cannot_choose_its_address(demo_db: Database) -> None:
    with served(demo_db, trusted_proxies(None)) as client:
        _act_with_a_forged_address(demo_db, client)
    assert _addresses(demo_db) == {"127.0.0.1"}


def test_a_named_proxy_tells_the_address_of_its_client(demo_db: Database) -> None:
    with served(demo_db, trusted_proxies("10.0.0.1, 127.0.0.1")) as client:
        _act_with_a_forged_address(demo_db, client)
    assert _addresses(demo_db) == {FORGED}


def test_proxies_are_addresses_or_networks() -> None:
    assert trusted_proxies("10.0.0.1,10.0.0.2") == ["10.0.0.1", "10.0.0.2"]
    assert trusted_proxies(" 10.0.0.0/8 , ::1 ") == ["10.0.0.0/8", "::1"]
    assert trusted_proxies("") == []
    for bad in ("*", "proxy.example.org", "10.0.0.1,10.0.0.300"):
        with pytest.raises(ConfigError, match="not an IP address or network"):
            trusted_proxies(bad)


def test_serve_reads_the_proxies_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEERBAAR_DB", f"sqlite:///{tmp_path}/register.db")
    monkeypatch.setenv("WEERBAAR_FORWARDED_ALLOW_IPS", "everyone")
    refused = CliRunner().invoke(cli, ["serve", "--port", "1"])
    assert refused.exit_code != 0
    assert "'everyone' is not an IP address or network" in refused.output
