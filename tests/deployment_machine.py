"""This machine standing in for the Debian server of docs/deployment.md.

The guide's marked blocks (``<!-- deployment-test: NAME -->`` above a fenced block)
are run as written, with the server's places swapped for this machine's own
(:attr:`Machine.places`): a database and two roles of the test's own for
``weerbaar``, ``weerbaar_owner`` and ``weerbaar_app``, temporary folders for
``/etc/weerbaar``, ``/var/lib/weerbaar`` and ``/var/backups/weerbaar``, this
checkout's ``weerbaar`` for ``/opt/weerbaar``'s, a free port for 8000. What needs
root on a systemd machine, the test does in its place: ``systemctl start`` runs the
unit's ``ExecStart`` in the environment the unit gives it, ``systemctl stop`` sends
SIGTERM as systemd would and expects a clean exit, and the ``weerbaar`` command of
deploy/weerbaar runs as the test's own user instead of switching to ``weerbaar`` with
runuser. Installing with pip is the one step left out: this checkout is the
installation.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "deployment.md"
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
ENV_EXAMPLE = DEPLOY / "weerbaar.env.example"
COMMAND = DEPLOY / "weerbaar"
INSTALLED = "/opt/weerbaar/bin/weerbaar"
WEERBAAR = Path(sys.executable).with_name("weerbaar")
# systemd's PATH for services, and the shell's of a root login on Debian.
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
PIP_INSTALL = "/opt/weerbaar/bin/pip install"
# Enough for a migration or a backup check; a step that takes longer has hung.
BLOCK_SECONDS = 300

_BLOCK = re.compile(r"<!-- deployment-test: ([\w-]+) -->\n```\w+\n(.*?)\n```", re.S)


def guide_blocks() -> dict[str, str]:
    """The guide's marked blocks by name."""
    return dict(_BLOCK.findall(GUIDE.read_text("utf-8")))


def logical_lines(block: str) -> list[str]:
    """The block's commands: continuation lines joined, blank lines left out. A
    here-document stays whole, with its command."""
    lines: list[str] = []
    ending: str | None = None
    for raw in block.replace("\\\n", " ").splitlines():
        if ending is not None:
            lines[-1] += "\n" + raw
            if raw == ending:
                ending = None
            continue
        if raw.strip():
            lines.append(raw)
            opened = re.search(r"<<'(\w+)'", raw)
            ending = opened.group(1) if opened else None
    return lines


def container_healthcheck() -> list[str]:
    """The command of the Containerfile's HEALTHCHECK."""
    text = (ROOT / "Containerfile").read_text("utf-8").replace("\\\n", " ")
    found = re.search(r"^HEALTHCHECK .*? CMD (\[.*\])$", text, re.M)
    assert found is not None, "the Containerfile has no HEALTHCHECK … CMD [...]"
    command: list[str] = json.loads(found[1])
    return command


def read_unit(path: Path) -> configparser.ConfigParser:
    """A unit file as systemd's INI dialect: keys as written; a key given twice keeps
    its last value (read the file's lines for every value)."""
    parser = configparser.ConfigParser(
        strict=False, interpolation=None, delimiters=("=",), comment_prefixes=("#",)
    )
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read_string(path.read_text("utf-8"), source=str(path))
    return parser


def unit_values(path: Path, key: str) -> list[str]:
    """Every value ``key`` is given in the unit, in order."""
    return re.findall(rf"^{key}=(.*)$", path.read_text("utf-8"), re.M)


@dataclass
class Machine:
    root: Path  # where this machine keeps what the server keeps under / and /etc
    database: str  # the guide's database weerbaar, and its roles, here
    owner: str
    app_role: str
    pg_address: str  # host:port of the test PostgreSQL
    port: int  # for the guide's 8000
    owner_password: str = field(default_factory=lambda: secrets.token_hex(24))
    app_password: str = field(default_factory=lambda: secrets.token_hex(24))
    services: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    _logs: list[IO[bytes]] = field(default_factory=list)

    @property
    def etc(self) -> Path:
        return self.root / "etc"

    @property
    def lib(self) -> Path:
        return self.root / "lib"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def systemd(self) -> Path:
        return self.root / "systemd"

    @property
    def sbin(self) -> Path:
        return self.root / "sbin"

    @property
    def places(self) -> list[tuple[str, str]]:
        """(the guide's text, this machine's), in the order they are swapped."""
        return [
            (INSTALLED, str(WEERBAAR)),
            ("/etc/systemd/system", str(self.systemd)),
            ("/etc/weerbaar", str(self.etc)),
            ("/var/lib/weerbaar", str(self.lib)),
            ("/var/backups/weerbaar", str(self.backups)),
            ("localhost:5432/weerbaar", f"{self.pg_address}/{self.database}"),
            ("weerbaar_owner", self.owner),
            ("weerbaar_app", self.app_role),
            ("127.0.0.1:8000", f"127.0.0.1:{self.port}"),
        ]

    def here(self, text: str) -> str:
        for theirs, ours in self.places:
            text = text.replace(theirs, ours)
        return text

    def prepare(self) -> None:
        """The folders of the guide's section 2 and the command of its section 3."""
        for folder, mode in (
            (self.lib, 0o700),
            (self.backups, 0o700),
            (self.etc, 0o750),
            (self.systemd, 0o755),
            (self.sbin, 0o755),
        ):
            folder.mkdir(mode=mode)
        script = self.here(COMMAND.read_text("utf-8"))
        switch = "runuser -u weerbaar -- "
        assert switch in script, "deploy/weerbaar no longer switches user as the test expects"
        command = self.sbin / "weerbaar"
        # runuser gives the command the user's home; the rest of the environment passes.
        command.write_text(script.replace(switch, f"env HOME={self.lib} "), "utf-8")
        command.chmod(0o755)

    def shell_environment(self) -> dict[str, str]:
        """A root shell's: the command of section 3 first on the PATH."""
        return {
            "PATH": f"{self.sbin}:{SYSTEM_PATH}",
            "HOME": str(self.root),
            "LANG": "C.UTF-8",
            "COLUMNS": "200",  # a wide terminal: tables are not cut
        }

    def psql(self, admin_url: str) -> None:
        """The guide's SQL block, run by psql as the database's superuser. psql's
        ``\\password ROLE`` asks at the terminal; here it is the statement it sends."""
        passwords = {self.owner: self.owner_password, self.app_role: self.app_password}
        sql = re.sub(
            r"(?<![\w/])weerbaar(?!\w)", self.database, self.here(guide_blocks()["database"])
        )
        sql = re.sub(
            r"^\\password (\S+)$",
            lambda asked: f"ALTER ROLE \"{asked[1]}\" PASSWORD '{passwords[asked[1]]}';",
            sql,
            flags=re.M,
        )
        done = subprocess.run(
            ["psql", "--no-psqlrc", "--quiet", "-v", "ON_ERROR_STOP=1", admin_url],
            input=sql,
            capture_output=True,
            text=True,
            timeout=BLOCK_SECONDS,
            check=False,
        )
        assert done.returncode == 0, f"psql failed:\n{sql}\n{done.stderr}"

    def run(self, name: str) -> str:
        """Run the guide's block ``name`` as an operator would; what it printed."""
        return self.follow(guide_blocks()[name])

    def follow(self, block: str) -> str:
        """Run ``block``, commands as in the guide, as an operator would."""
        printed: list[str] = []
        chunk: list[str] = []
        for line in logical_lines(self.here(block)):
            if line.startswith("systemctl "):
                printed.append(self._shell(chunk))
                chunk = []
                self.systemctl(shlex.split(line)[1:])
            elif line.startswith(PIP_INSTALL):
                self.skipped.append(line)
            else:
                chunk.append(line)
        printed.append(self._shell(chunk))
        return "".join(printed)

    def _shell(self, lines: list[str]) -> str:
        if not lines:
            return ""
        script = "\n".join(lines)
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            input=f"{self.owner_password}\n",
            env=self.shell_environment(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=BLOCK_SECONDS,
            check=False,
        )
        assert done.returncode == 0, (
            f"the guide's commands failed (exit {done.returncode}):\n{script}\n"
            f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}\n{self.service_logs()}"
        )
        return done.stdout

    def systemctl(self, words: list[str]) -> None:
        verb, *names = words
        if verb == "daemon-reload":
            return
        if verb == "enable" and names[:1] == ["--now"]:
            verb, names = "start", names[1:]
        assert verb in ("start", "stop"), f"systemctl {verb}: no stand-in for it here"
        for name in names:
            unit = name if "." in name else f"{name}.service"
            if verb == "start":
                self.start(unit)
            else:
                self.stop(unit)

    def unit(self, name: str) -> Path:
        path = self.systemd / name
        assert path.is_file(), f"{name} is not installed (section 6 installs the units)"
        return path

    def start(self, name: str) -> None:
        path = self.unit(name)
        parsed = read_unit(path)
        if name.endswith(".timer"):
            started = parsed["Timer"].get("Unit", name.removesuffix(".timer") + ".service")
            self.unit(started)
            return
        service = parsed["Service"]
        argv = self.command_line(service["ExecStart"])
        if service.get("Type") == "oneshot":
            done = subprocess.run(
                argv,
                env=self.service_environment(service),
                cwd="/",
                capture_output=True,
                text=True,
                timeout=BLOCK_SECONDS,
                check=False,
            )
            assert done.returncode == 0, f"{name} failed:\n{done.stdout}\n{done.stderr}"
            return
        log = (self.root / f"{name}.log").open("ab")
        self._logs.append(log)
        # A session of its own stands for the unit's control group.
        self.services[name] = subprocess.Popen(
            argv,
            env=self.service_environment(service),
            cwd="/",
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self, name: str) -> None:
        """As systemd stops it: SIGTERM to the main process, which has
        TimeoutStopSec= to exit, cleanly and leaving no process of its own behind
        (systemd would kill those)."""
        process = self.services.pop(name)
        service = read_unit(self.unit(name))["Service"]
        process.send_signal(signal.SIGTERM)
        limit = float(service.get("TimeoutStopSec", "90s").removesuffix("s"))
        try:
            code = process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise AssertionError(
                f"{name} did not stop within TimeoutStopSec\n{self.service_logs()}"
            ) from None
        assert code == 0, f"{name} exited with {code} on SIGTERM\n{self.service_logs()}"
        assert not _alive(process.pid), f"{name} left processes behind\n{self.service_logs()}"

    def command_line(self, exec_start: str) -> list[str]:
        """ExecStart with this checkout's weerbaar and this machine's free port."""
        argv = shlex.split(self.here(exec_start))
        if "--port" in argv:
            argv[argv.index("--port") + 1] = str(self.port)
        return argv

    def service_environment(self, service: configparser.SectionProxy) -> dict[str, str]:
        """What systemd gives the unit's process: its PATH, the user's home, the
        EnvironmentFile's variables and the unit's own Environment=."""
        env = {"PATH": SYSTEM_PATH, "HOME": str(self.lib), "LANG": "C.UTF-8"}
        env |= self.settings(Path(self.here(service["EnvironmentFile"])))
        for assignment in shlex.split(service.get("Environment", "")):
            name, _, value = assignment.partition("=")
            env[name] = value
        return env

    def settings(self, path: Path) -> dict[str, str]:
        """The variables of an env file as the shell reads it (deploy/weerbaar does
        `set -a; . FILE`), which for its plain NAME=value lines is how systemd reads
        it too."""
        done = subprocess.run(
            ["bash", "-c", 'set -a && . "$1" && env -0', "settings", str(path)],
            env={},
            capture_output=True,
            check=True,
        )
        pairs = (item.split("=", 1) for item in done.stdout.decode().split("\0") if item)
        return {name: value for name, value in pairs if name.startswith("WEERBAAR_")}

    def service_logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text('utf-8', 'replace')[-4000:]}"
            for path in sorted(self.root.glob("*.service.log"))
        )

    def shut_down(self) -> None:
        """End what still runs (after a failure): SIGKILL to each unit's processes,
        as systemd's last step."""
        for process in self.services.values():
            if _alive(process.pid):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        self.services.clear()
        for log in self._logs:
            log.close()


def _alive(group: int) -> bool:
    """Whether any process of the session ``group`` leads is left."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True
