"""Files are written whole or not at all, and a new one is readable by its owner only."""

import stat
from pathlib import Path

import pytest

from weerbaar.formats.atomic import OWNER_ONLY, atomic_file, write_atomic


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_is_for_its_owner_only(tmp_path: Path) -> None:
    written = write_atomic(tmp_path / "deep" / "report.html", b"<p>register</p>")
    assert written.read_bytes() == b"<p>register</p>"
    assert mode_of(written) == OWNER_ONLY == 0o600


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "register.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    with atomic_file(target, "w", encoding="utf-8") as handle:
        handle.write("new")
    assert target.read_text("utf-8") == "new"
    assert mode_of(target) == 0o640


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path: Path) -> None:
    target = tmp_path / "register.csv"
    target.write_bytes(b"old")

    def killed_halfway() -> None:
        with atomic_file(target, "wb") as handle:
            handle.write(b"half")
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        killed_halfway()
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["register.csv"]
