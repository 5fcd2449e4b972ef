"""A file or folder the system will not read or write ends a command with a message
naming its path and exit code 7, never with a traceback."""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from weerbaar.cli.main import EXIT_CODES, FILE_ERROR_CODE, app, file_error


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner on an initialised SQLite register of its own."""
    monkeypatch.setenv("WEERBAAR_DB", f"sqlite:///{tmp_path}/register.db")
    monkeypatch.setenv("WEERBAAR_USER", "test:cli")
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    return runner


def _refused(result: object, path: Path, what: str) -> None:
    assert getattr(result, "exit_code", None) == 7, getattr(result, "output", "")
    # Ended on purpose, not by an exception escaping the command.
    assert isinstance(getattr(result, "exception", None), SystemExit)
    output = str(getattr(result, "output", ""))
    assert f"error: {path}: {what}" in " ".join(output.split())


def test_an_import_file_the_system_will_not_read(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "register.json"
    path.write_text('{"format": "weerbaar-register", "format_version": 1}', "utf-8")
    # As a file without read permission does (the tests may run as root, who reads
    # everything).
    real_read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == path:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    _refused(cli.invoke(app, ["import", str(path)]), path, "cannot be read (Permission denied)")


def test_an_import_file_that_is_a_folder(cli: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "register.json"
    folder.mkdir()
    _refused(cli.invoke(app, ["import", str(folder)]), folder, "cannot be read (Is a directory)")


def test_an_export_to_a_path_that_cannot_be_written(cli: CliRunner, tmp_path: Path) -> None:
    blocking = tmp_path / "not-a-folder"
    blocking.write_text("a file where the export wants a folder", "utf-8")
    result = cli.invoke(app, ["export", str(blocking / "register.json")])
    _refused(result, blocking, "exists already (a file where a folder is needed?)")

    folder = tmp_path / "register.json"
    folder.mkdir()
    result = cli.invoke(app, ["export", str(folder)])
    _refused(result, folder, "is a folder, where a file is needed")
    assert list(folder.iterdir()) == []


def test_a_plot_to_a_path_that_cannot_be_written(cli: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "levels.png"
    folder.mkdir()
    result = cli.invoke(app, ["levels", "timeline", "-o", str(folder)])
    _refused(result, folder, "is a folder, where a file is needed")


def test_the_command_itself_ends_without_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "WEERBAAR_DB": f"sqlite:///{tmp_path}/register.db"}
    command = [sys.executable, "-c", "from weerbaar.cli.main import run; run()"]
    subprocess.run([*command, "init"], env=env, check=True, capture_output=True)
    blocking = tmp_path / "not-a-folder"
    blocking.write_text("", "utf-8")
    done = subprocess.run(
        [*command, "export", str(blocking / "out.json")], env=env, capture_output=True, text=True
    )
    assert done.returncode == 7
    assert "Traceback" not in done.stderr
    assert f"error: {blocking}: exists already" in " ".join(done.stderr.split())


def test_what_a_file_error_says() -> None:
    moved = IsADirectoryError(
        errno.EISDIR, "Is a directory", "/out/.x.json.tmp", None, "/out/x.json"
    )
    assert file_error(moved) == ("/out/x.json: is a folder, where a file is needed", 7)
    odd = OSError(errno.EIO, "Input/output error", "/mnt/x")
    assert file_error(odd) == ("/mnt/x: Input/output error", 7)
    # A system error that names no file (a network one, say) has no path to name.
    assert file_error(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")) == (
        "Connection refused",
        1,
    )


def test_the_readme_explains_every_exit_code() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text("utf-8")
    table = readme.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", table, re.MULTILINE)}
    given = {code for _, code in EXIT_CODES} | {0, 1, 2, FILE_ERROR_CODE}
    assert documented == given
