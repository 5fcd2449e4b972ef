"""docs/deployment.md followed end to end on this machine. tests/deployment_machine.py
says how this machine stands in for the guide's server; tests/test_deploy_files.py
holds the files of deploy/ to what weerbaar and systemd accept."""

from __future__ import annotations

import json
import re
import secrets
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url

from tests.deployment_machine import (
    ENV_EXAMPLE,
    GUIDE,
    Machine,
    container_healthcheck,
    guide_blocks,
)
from tests.deployment_proxies import (
    BROWSER,
    MONITORING,
    Proxy,
    certificate,
    free_port,
    start_caddy,
    start_nginx,
)
from weerbaar.storage.db import SCHEMA_HEAD
from weerbaar.storage.tables import scheduler_beats

ADMIN_PASSWORD = "deployment-" + secrets.token_hex(12)  # made for this run
METRICS_TOKEN = secrets.token_hex(32)
# An X-Forwarded-For that a client makes up, which a proxy must not pass on.
FORGED = "203.0.113.7"
# How long the worker may take to report its first rounds (its first wait is a whole
# interval, 60 s for source polling), and how often to look.
BEAT_SECONDS, BEAT_EVERY = 180.0, 1.0


@pytest.fixture
def machine(tmp_path: Path, pg_admin: Engine) -> Iterator[Machine]:
    """The guide's server: a database and two roles of its own on the test PostgreSQL
    (removed again), its folders under ``tmp_path``."""
    url = make_url(str(pg_admin.url))
    suffix = uuid.uuid4().hex[:10]
    here = Machine(
        root=tmp_path / "server",
        database=f"deploy_{suffix}",
        owner=f"deploy_owner_{suffix}",
        app_role=f"deploy_app_{suffix}",
        pg_address=f"{url.host}:{url.port}",
        port=free_port(),
    )
    here.root.mkdir()
    here.prepare()
    try:
        yield here
    finally:
        here.shut_down()
        with pg_admin.connect() as connection:
            # The guide's database, and a backup check's scratch one if it was cut short.
            owned = connection.execute(
                text(
                    "SELECT datname FROM pg_database JOIN pg_roles ON datdba = pg_roles.oid "
                    "WHERE rolname = :owner"
                ),
                {"owner": here.owner},
            )
            for (name,) in owned.all():
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{here.app_role}"'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{here.owner}"'))


@pytest.fixture
def register(machine: Machine, pg_admin: Engine) -> Iterator[Engine]:
    """The guide's database, as its superuser sees it (once the guide has made it)."""
    engine = create_engine(pg_admin.url.set(database=machine.database))
    yield engine
    engine.dispose()


def _write_settings(machine: Machine) -> None:
    """/etc/weerbaar/weerbaar.env as section 5 makes it: the example with every
    CHANGE-ME replaced, and the first administrator's password for the first start."""
    settings = machine.here(ENV_EXAMPLE.read_text("utf-8"))
    for placeholder, value in (
        ("CHANGE-ME-app-password", machine.app_password),
        ("CHANGE-ME-smtp.example.org", "localhost"),
        ("CHANGE-ME.example.org", "example.org"),
        ("CHANGE-ME-metrics-token", METRICS_TOKEN),
        ("#WEERBAAR_ADMIN_PASSWORD=", f"WEERBAAR_ADMIN_PASSWORD={ADMIN_PASSWORD}"),
    ):
        assert placeholder in settings, f"{placeholder} is no longer in {ENV_EXAMPLE.name}"
        settings = settings.replace(placeholder, value)
    active = [line for line in settings.splitlines() if line and not line.startswith("#")]
    assert [line for line in active if "CHANGE-ME" in line] == []
    # Plain NAME=value lines read the same by systemd and by the shell.
    assert [line for line in active if not re.fullmatch(r"WEERBAAR_[A-Z_]+=\S+", line)] == []
    path = machine.etc / "weerbaar.env"
    path.write_text(settings, "utf-8")
    path.chmod(0o640)


def _sign_in(client: httpx.Client, password: str) -> httpx.Response:
    """A sign-in of ``admin``, with an X-Forwarded-For of the client's own making."""
    form = client.get("/login")
    assert form.status_code == 200, form.text
    assert 'name="password"' in form.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    return client.post(
        "/login",
        data={"username": "admin", "password": password, "csrf_token": token[1]},
        headers={"X-Forwarded-For": FORGED},
    )


def _first_start(machine: Machine, pg_admin: Engine) -> None:
    """Sections 4 to 6, up to the services answering."""
    guide = GUIDE.read_text("utf-8")
    for step in (
        "install -m 0755 deploy/weerbaar /usr/local/sbin/weerbaar",
        "install -m 0640 -o root -g weerbaar deploy/weerbaar.env.example "
        "/etc/weerbaar/weerbaar.env",
    ):
        assert step in guide, f"the machine takes this step of the guide as written: {step}"
    machine.psql(pg_admin.url.set(drivername="postgresql").render_as_string(hide_password=False))
    _write_settings(machine)
    created = machine.run("first-start")
    assert machine.app_role in created
    assert (machine.lib / "keys" / "audit-chain.key").stat().st_mode & 0o077 == 0
    machine.run("organisations")
    machine.run("services")
    assert set(machine.services) == {"weerbaar-web.service", "weerbaar-worker.service"}
    readiness, _ = json.JSONDecoder().raw_decode(machine.run("check"))
    assert readiness["status"] == "ready"


def _serving(machine: Machine) -> None:
    """What the web service answers on its own port: health, metrics, and the health
    check of the container image."""
    base = f"http://127.0.0.1:{machine.port}"
    with httpx.Client(base_url=base, timeout=60) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/metrics").status_code == 401
        scraped = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert scraped.status_code == 200
        assert "# TYPE" in scraped.text
    check = [
        part.replace("127.0.0.1:8000", f"127.0.0.1:{machine.port}")
        for part in container_healthcheck()
    ]
    assert check[0] == "python"
    subprocess.run([sys.executable, *check[1:]], check=True, timeout=60)


def _through(proxy: Proxy, machine: Machine, authority: ssl.SSLContext) -> str:
    """Section 7's promises, kept by ``proxy``: /metrics for the monitoring network
    only, the client's own address in the audit trail whatever X-Forwarded-For it
    sends, and one request id in the proxy's answer and the trail. The refused
    sign-in's request id."""

    def client(address: str) -> httpx.Client:
        connection = httpx.HTTPTransport(local_address=address, verify=authority)
        return httpx.Client(base_url=proxy.base, transport=connection, timeout=60)

    bearer = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    with client(MONITORING) as monitoring:
        assert monitoring.get("/metrics", headers=bearer).status_code == 200
    with client(BROWSER) as browser:
        assert browser.get("/healthz").json() == {"status": "ok"}
        assert browser.get("/metrics", headers=bearer).status_code == 403
        # A wrong password is counted (a row numbered by a sequence of the owner's)
        # and audited, by the application role.
        refused = _sign_in(browser, "not-the-password-at-all")
        assert refused.status_code == 401, refused.text
        # Over HTTPS the browser sends the Secure cookie of the form back itself.
        accepted = _sign_in(browser, ADMIN_PASSWORD)
        assert accepted.status_code == 303, accepted.text
    request_id = refused.headers["X-Request-ID"]
    guide = GUIDE.read_text("utf-8").splitlines()
    [asked] = [line for line in guide if line.startswith("weerbaar audit log --request ")]
    trail = machine.follow(re.sub(r"[0-9a-f]{32}", request_id, asked))
    assert f"admin@{BROWSER}" in trail, f"{proxy.name}:\n{trail}"
    assert FORGED not in trail
    return request_id


def _proxies(machine: Machine) -> None:
    """Section 7: nginx and Caddy, one after the other, in front of the web service."""
    cert, key = certificate(machine.root)
    authority = ssl.create_default_context(cafile=str(cert))
    nginx, http_port = start_nginx(machine, cert, key)
    try:
        moved = httpx.get(f"http://127.0.0.1:{http_port}/login", timeout=60)
        assert moved.status_code == 301
        assert moved.headers["location"].startswith("https://")
        # The client sent no id: nginx made the one its own log and weerbaar's name.
        made = _through(nginx, machine, authority)
        logged = (machine.root / "nginx" / "access.log").read_text("utf-8")
        assert re.search(rf" POST 401 .* id={made}$", logged, re.M), logged
    finally:
        nginx.stop()
    caddy = start_caddy(machine, cert, key)
    try:
        _through(caddy, machine, authority)
    finally:
        caddy.stop()


def _worker_beats(machine: Machine, register: Engine) -> list[str]:
    """The schedulers the worker service runs, once each has done a round."""
    pid = machine.services["weerbaar-worker.service"].pid
    deadline = time.monotonic() + BEAT_SECONDS
    while True:
        with register.connect() as connection:
            rows = connection.execute(select(scheduler_beats.c.name, scheduler_beats.c.holder))
            mine = sorted(name for name, holder in rows if holder.endswith(f":{pid}"))
        if len(mine) == 2 or time.monotonic() > deadline:
            return mine
        time.sleep(BEAT_EVERY)


def test_the_guide_takes_an_empty_server_to_a_checked_upgrade(
    machine: Machine, pg_admin: Engine, register: Engine
) -> None:
    _first_start(machine, pg_admin)
    _serving(machine)
    _proxies(machine)

    machine.run("backup")
    assert len(list(machine.backups.glob("weerbaar-*.tar"))) == 1

    # Readiness counts the worker's schedulers once they have run.
    assert len(_worker_beats(machine, register)) == 2
    ready = httpx.get(f"http://127.0.0.1:{machine.port}/readyz", timeout=60)
    assert ready.status_code == 200, ready.text
    assert set(ready.json()["checks"].values()) == {"ok"}

    # On a current schema, `weerbaar init` migrates nothing, writes nothing and keeps
    # the keys.
    key = (machine.lib / "keys" / "audit-chain.key").read_bytes()
    with register.connect() as connection:
        head = connection.execute(text("SELECT seq FROM audit_head")).scalar_one()
    machine.run("upgrade")
    pip = [line for line in guide_blocks()["upgrade"].splitlines() if "/bin/pip " in line]
    assert machine.skipped == pip
    assert len(list(machine.backups.glob("weerbaar-*.tar"))) == 2
    with register.connect() as connection:
        schema = connection.execute(text("SELECT version_num FROM alembic_version"))
        assert schema.scalar_one() == SCHEMA_HEAD
        assert connection.execute(text("SELECT seq FROM audit_head")).scalar_one() == head
    assert (machine.lib / "keys" / "audit-chain.key").read_bytes() == key

    machine.run("verify")
    for name in list(machine.services):
        machine.stop(name)

    # What the services wrote is their journal: its log lines are JSON, and no line
    # holds the administrator's password, the metrics token or a database password.
    journal = [
        line
        for path in sorted(machine.root.glob("*.service.log"))
        for line in path.read_text("utf-8").splitlines()
        if line.strip()
    ]
    logged = [json.loads(line) for line in journal if line.startswith("{")]
    assert {"weerbaar.access"} <= {entry["logger"] for entry in logged}
    for line in journal:
        for secret in (ADMIN_PASSWORD, METRICS_TOKEN, machine.owner_password, machine.app_password):
            assert secret not in line, "a secret in the journal"
