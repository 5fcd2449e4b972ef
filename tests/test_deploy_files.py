"""The files of deploy/ and the Containerfile, held to what weerbaar and systemd
accept: every command they start parses as weerbaar's own command line would parse
it, the units carry the hardening docs/deployment.md promises, the settings file
names every setting, and the proxies' limits fit the app's."""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import typer.main

from tests.deployment_machine import (
    COMMAND,
    DEPLOY,
    ENV_EXAMPLE,
    GUIDE,
    INSTALLED,
    ROOT,
    UNITS,
    WEERBAAR,
    container_healthcheck,
    read_unit,
    unit_values,
)
from weerbaar import config
from weerbaar.cli.main import app
from weerbaar.cli.serve import FORWARDED_ALLOW_IPS_VARIABLE
from weerbaar.web.uploads import MAX_UPLOAD

SERVICES = sorted(UNITS.glob("*.service"))
# What every service of the guide runs as and with; docs/deployment.md, section 6.
HARDENING = {
    "User": "weerbaar",
    "Group": "weerbaar",
    "EnvironmentFile": "/etc/weerbaar/weerbaar.env",
    "UMask": "0077",
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
    "CapabilityBoundingSet": "",
    "SystemCallArchitectures": "native",
    "StateDirectory": "weerbaar",
}
# systemd-analyze's exposure score, times ten, that a unit must stay under ("OK").
EXPOSURE = 20
# A request may carry a little more than the file it uploads (uploads.py).
REQUEST_LIMIT = MAX_UPLOAD + 64 * 1024
SIZES = {"": 1, "k": 1024, "m": 1024**2, "kib": 1024, "mib": 1024**2}


def parsed(argv: list[str]) -> dict[str, Any]:
    """The parameters weerbaar's command line makes of ``argv`` (after the program's
    name), refusing an option or value it does not know as it would at start."""
    group = typer.main.get_command(app)
    context = group.context_class(group, info_name="weerbaar")
    command = group.get_command(context, argv[0])  # type: ignore[attr-defined]
    assert command is not None, f"weerbaar has no command {argv[0]}"
    params: dict[str, Any] = command.make_context(argv[0], argv[1:], parent=context).params
    return params


def exec_start(unit: Path) -> list[str]:
    return shlex.split(read_unit(unit)["Service"]["ExecStart"])


def test_each_unit_starts_a_real_command_as_the_guide_says_hardened() -> None:
    assert [unit.name for unit in SERVICES] == [
        "weerbaar-backup.service",
        "weerbaar-web.service",
        "weerbaar-worker.service",
    ]
    guide = GUIDE.read_text("utf-8")
    for unit in [*SERVICES, UNITS / "weerbaar-backup.timer"]:
        assert f"deploy/systemd/{unit.name}" in guide, f"the guide does not install {unit.name}"
    for unit in SERVICES:
        service = read_unit(unit)["Service"]
        for key, value in HARDENING.items():
            assert service.get(key) == value, f"{unit.name}: {key}"
        assert unit_values(unit, "SystemCallFilter") == ["@system-service", "~@privileged"]
        # Numba writes machine code and then runs it.
        assert "MemoryDenyWriteExecute" not in service
        argv = exec_start(unit)
        assert argv[0] == INSTALLED
        parsed(argv[1:])
    web = parsed(exec_start(UNITS / "weerbaar-web.service")[1:])
    assert web["host"] == "127.0.0.1" and web["secure_cookies"]
    # The worker service delivers and polls; the web service must not as well.
    assert web["notify_interval"] == 0 and web["poll_interval"] == 0
    assert exec_start(UNITS / "weerbaar-worker.service")[1:] == ["worker"]
    backup = read_unit(UNITS / "weerbaar-backup.service")["Service"]
    assert parsed(exec_start(UNITS / "weerbaar-backup.service")[1:])["keep"] == 14
    assert backup["ReadWritePaths"] == "/var/backups/weerbaar"
    assert backup["Type"] == "oneshot"
    timer = read_unit(UNITS / "weerbaar-backup.timer")["Timer"]
    assert timer["OnCalendar"] == "daily" and timer["Persistent"] == "true"
    assert "RandomizedDelaySec" in timer


def test_systemd_accepts_the_units_and_rates_them_ok(tmp_path: Path) -> None:
    """Where systemd-analyze is installed: the units parse without a warning, and
    their exposure stays "OK". (Elsewhere the test above holds them by their keys.)"""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return
    for unit in UNITS.iterdir():
        # systemd checks that ExecStart's program exists: this checkout's stands in.
        copy = tmp_path / unit.name
        copy.write_text(unit.read_text("utf-8").replace(INSTALLED, str(WEERBAAR)), "utf-8")
    units = sorted(str(path) for path in tmp_path.iterdir())
    verified = subprocess.run(
        [analyze, "verify", "--man=no", *units], capture_output=True, text=True, check=False
    )
    assert (verified.returncode, verified.stderr) == (0, "")
    for unit in tmp_path.glob("*.service"):
        rated = subprocess.run(
            [analyze, "security", "--offline=true", f"--threshold={EXPOSURE}", str(unit)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert rated.returncode == 0, rated.stdout[-2000:]


def _documented_settings() -> list[str]:
    """Every variable config.py's table names (``_PORT`` after ``WEERBAAR_SMTP_HOST``
    is ``WEERBAAR_SMTP_PORT``)."""
    assert config.__doc__ is not None
    names: list[str] = []
    for found in re.findall(r"``(WEERBAAR_[A-Z_]+|_[A-Z_]+)``", config.__doc__):
        names.append(
            found if found.startswith("WEERBAAR_") else names[-1].rsplit("_", 1)[0] + found
        )
    return names


def test_the_settings_file_and_the_guide_name_every_setting() -> None:
    example = ENV_EXAMPLE.read_text("utf-8")
    named = set(re.findall(r"^#?(WEERBAAR_[A-Z_]+)=", example, re.M))
    # WEERBAAR_USER names who acts on the command line; the services name who signed in.
    wanted = set(_documented_settings()) - {"WEERBAAR_USER"} | {FORWARDED_ALLOW_IPS_VARIABLE}
    assert wanted - named == set(), "settings the example leaves out"
    known = wanted | {config.LANGUAGE_VARIABLE, config.SOURCE_SECRETS_VARIABLE}
    assert named - known == set(), "variables weerbaar does not read"
    guide = GUIDE.read_text("utf-8")
    assert [name for name in sorted(named) if f"`{name}`" not in guide] == []


def _containerfile() -> list[tuple[str, str]]:
    """(instruction, its arguments) of the Containerfile, continuation lines joined."""
    text = (ROOT / "Containerfile").read_text("utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0], line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def test_the_container_image_is_built_from_the_checkout_and_serves_as_the_guide_says() -> None:
    steps = _containerfile()
    given = dict(steps)
    assert given["FROM"].endswith("python:3.11-slim-bookworm")
    ignored = [
        line
        for line in (ROOT / ".containerignore").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    for instruction, arguments in steps:
        if instruction == "COPY":
            for source in arguments.split()[:-1]:
                assert (ROOT / source).exists(), source
                assert not any(fnmatch.fnmatch(source, pattern) for pattern in ignored), source
    # WeasyPrint's packages, as scripts/start installs them.
    start = (ROOT / "scripts" / "start").read_text("utf-8")
    pdf = re.search(r"for package in ([^;]+);", start)
    assert pdf is not None
    installed = {word for step, arguments in steps if step == "RUN" for word in arguments.split()}
    assert set(pdf[1].split()) <= installed
    assert given["USER"] != "root" and given["VOLUME"] == "/var/lib/weerbaar"
    # tests/test_deployment.py runs it against a running service.
    assert "http://127.0.0.1:8000/healthz" in container_healthcheck()[-1]
    command = json.loads(given["CMD"])
    assert command[0] == "weerbaar"
    serve = parsed(command[1:])
    assert (serve["host"], serve["port"], given["EXPOSE"]) == ("0.0.0.0", 8000, "8000")
    assert serve["notify_interval"] == 0 and serve["poll_interval"] == 0
    assert "weerbaar worker" in GUIDE.read_text("utf-8")


def _bytes(size: str) -> int:
    found = re.fullmatch(r"(\d+)([a-z]*)", size.lower())
    assert found is not None and found[2] in SIZES, size
    return int(found[1]) * SIZES[found[2]]


def test_the_proxies_reach_the_web_service_with_what_it_needs() -> None:
    web = parsed(exec_start(UNITS / "weerbaar-web.service")[1:])
    upstream = f"{web['host']}:{web['port']}"
    # The proxy on this machine is the one the service believes.
    assert web["forwarded_allow_ips"] == "127.0.0.1"

    caddy = (DEPLOY / "Caddyfile").read_text("utf-8")
    assert f"reverse_proxy {upstream}" in caddy
    limit = re.search(r"max_size (\S+)", caddy)
    assert limit is not None and _bytes(limit[1]) >= REQUEST_LIMIT
    assert "protocols tls1.2 tls1.3" in caddy
    assert re.search(r"path /metrics .*\n\s+not remote_ip ", caddy)
    assert "respond @metrics_from_elsewhere 403" in caddy
    # A request's path and query can name what someone looked for: no access log.
    assert not re.search(r"^\s*log\b", caddy, re.M)

    nginx = (DEPLOY / "nginx.conf").read_text("utf-8")
    assert nginx.count(f"proxy_pass http://{upstream};") == 2
    limit = re.search(r"client_max_body_size (\S+);", nginx)
    assert limit is not None and _bytes(limit[1]) >= REQUEST_LIMIT
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in nginx
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Request-ID", "Host"):
        assert f"proxy_set_header {header} " in nginx
    metrics = re.search(r"location = /metrics \{(.*?)\}", nginx, re.S)
    assert metrics is not None and "deny all;" in metrics[1]
    logged = re.search(r"^log_format weerbaar (.*?);$", nginx, re.M | re.S)
    assert logged is not None
    assert not re.search(r"\$(request|request_uri|uri|args|query_string)\b", logged[1])


def test_the_root_command_runs_weerbaar_as_its_user_with_the_settings() -> None:
    script = COMMAND.read_text("utf-8")
    assert ". /etc/weerbaar/weerbaar.env" in script
    assert f'exec runuser -u weerbaar -- {INSTALLED} "$@"' in script
    assert COMMAND.stat().st_mode & 0o111
