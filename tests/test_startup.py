"""Everyday commands start without the heavy libraries: scikit-learn, Numba, Plotly,
Matplotlib (nor SciPy or networkx) load only in the commands that classify, compile,
plot or analyse. Each command runs in a fresh interpreter, as a person starts it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from weerbaar.cli.main import app

HEAVY = ("sklearn", "numba", "plotly", "matplotlib", "scipy", "networkx")

# Imports ``preload`` (if named), runs the command as `weerbaar` would, then writes
# its exit code and which of the heavy packages it loaded to ``report``.
_PROBE = """
import importlib, json, sys
report, preload, heavy, *command = sys.argv[1:]
if preload:
    importlib.import_module(preload)
from weerbaar.cli.main import app
try:
    app(command, prog_name="weerbaar")
    code = 0
except SystemExit as exit:
    code = exit.code or 0
loaded = sorted(m for m in heavy.split(",") if m in sys.modules)
with open(report, "w") as out:
    json.dump({"code": code, "loaded": loaded}, out)
"""


def _probe(
    tmp_path: Path, env: dict[str, str], *command: str, preload: str = ""
) -> dict[str, object]:
    report = tmp_path / "probe.json"
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(report), preload, ",".join(HEAVY), *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(report.read_text())
    return result


@pytest.fixture
def register(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An initialised SQLite register; the environment a command runs in for it. The key
    folder is the run's (WEERBAAR_KEY_DIR, set by conftest)."""
    db_url = f"sqlite:///{tmp_path}/register.db"
    monkeypatch.setenv("WEERBAAR_DB", db_url)
    monkeypatch.setenv("WEERBAAR_USER", "test:cli")
    init = CliRunner().invoke(app, ["init"])
    assert init.exit_code == 0, init.output
    return dict(os.environ)


@pytest.mark.parametrize(
    "command", [["--help"], ["scenario", "list"], ["audit", "verify"]], ids=" ".join
)
def test_everyday_commands_load_no_heavy_library(
    command: list[str], register: dict[str, str], tmp_path: Path
) -> None:
    result = _probe(tmp_path, register, *command)
    assert result == {"code": 0, "loaded": []}


def test_the_probe_sees_a_heavy_library_when_one_loads(
    register: dict[str, str], tmp_path: Path
) -> None:
    """The check above could pass by looking in the wrong place; here it must fail."""
    result = _probe(tmp_path, register, "--help", preload="sklearn")
    loaded = result["loaded"]
    assert isinstance(loaded, list) and "sklearn" in loaded
