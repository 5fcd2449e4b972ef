"""The backup file: written whole or not at all, read back only if every member is
what its manifest says, and refused with a message naming what is wrong."""

from __future__ import annotations

import datetime as dt
import io
import json
import tarfile
from pathlib import Path

import pytest

from weerbaar.errors import FileFormatError, StepError
from weerbaar.storage.backup import archive, files
from weerbaar.storage.backup.manifest import (
    PUBLIC_KEY_MEMBER,
    Manifest,
    TrailHead,
    checkpoint_member,
)

TRAIL = "0b7c2d6e-1f4a-4c3e-9d55-3c2a1e0f9b88"


def staged(folder: Path) -> dict[str, Path]:
    folder.mkdir()
    members = {
        "database.sqlite": b"SQLite format 3\x00" + bytes(range(256)) * 64,
        checkpoint_member(TRAIL): b'{"seq": 3}\n',
        PUBLIC_KEY_MEMBER: b"-----BEGIN PUBLIC KEY-----\n",
    }
    paths = {}
    for name, data in members.items():
        path = folder / name.replace("/", "_")
        path.write_bytes(data)
        paths[name] = path
    return paths


def manifest_for(paths: dict[str, Path]) -> Manifest:
    return Manifest(
        weerbaar_version="0.1.0",
        schema_revision="0020",
        dialect="sqlite",
        created_at="2025-01-31T02:00:00+00:00",
        head=TrailHead(TRAIL, "468cbbb167e67e39", 3, "ab" * 32),
        members={name: archive.describe(path) for name, path in paths.items()},
    )


@pytest.fixture
def backup(tmp_path: Path) -> Path:
    paths = staged(tmp_path / "staged")
    path = tmp_path / "backup.tar"
    archive.write(path, manifest_for(paths), paths, force=False)
    return path


def test_a_backup_reads_back_as_written(backup: Path, tmp_path: Path) -> None:
    manifest, members = archive.read(backup, tmp_path / "out")
    assert manifest.head.seq == 3 and manifest.head.trail == TRAIL
    assert set(members) == {"database.sqlite", checkpoint_member(TRAIL), PUBLIC_KEY_MEMBER}
    assert members["database.sqlite"].read_bytes().startswith(b"SQLite format 3")
    assert backup.stat().st_mode & 0o077 == 0  # the owner's only: it holds the register
    assert not [p for p in backup.parent.iterdir() if p.name.endswith(".partial")]


def test_an_existing_file_is_replaced_only_when_forced(backup: Path, tmp_path: Path) -> None:
    paths = staged(tmp_path / "again")
    before = backup.read_bytes()
    with pytest.raises(StepError, match=r"exists already.*--force"):
        archive.write(backup, manifest_for(paths), paths, force=False)
    assert backup.read_bytes() == before
    archive.write(backup, manifest_for(paths), paths, force=True)
    assert archive.read(backup, tmp_path / "out")[0].head.seq == 3


def test_a_failed_write_leaves_no_file_behind(tmp_path: Path) -> None:
    paths = staged(tmp_path / "staged")
    manifest = manifest_for(paths)
    paths[PUBLIC_KEY_MEMBER].unlink()  # gone between staging and writing
    target = tmp_path / "backups"
    target.mkdir()
    with pytest.raises(FileNotFoundError):
        archive.write(target / "backup.tar", manifest, paths, force=False)
    assert list(target.iterdir()) == []


def test_a_flipped_byte_in_the_database_is_named(backup: Path, tmp_path: Path) -> None:
    with tarfile.open(backup) as tar:
        offset = tar.getmember("database.sqlite").offset_data
    data = bytearray(backup.read_bytes())
    data[offset + 100] ^= 0x01
    backup.write_bytes(bytes(data))
    with pytest.raises(FileFormatError, match=r"database.sqlite is damaged: its SHA-256"):
        archive.read(backup, tmp_path / "out")


def test_a_backup_cut_in_half_is_refused(backup: Path, tmp_path: Path) -> None:
    data = backup.read_bytes()
    backup.write_bytes(data[: len(data) // 2])
    with pytest.raises(FileFormatError, match="cut short"):
        archive.read(backup, tmp_path / "out")


def test_a_file_that_is_no_archive_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("not a backup at all\n" * 100)
    with pytest.raises(
        FileFormatError, match=r"notes\.txt is not a usable backup: it is not a tar"
    ):
        archive.read(other, tmp_path / "out")


def rewritten(backup: Path, change: dict[str, bytes | None]) -> None:
    """The backup with members replaced (bytes), removed (None) or added."""
    with tarfile.open(backup) as tar:
        kept = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
    for name, data in change.items():
        if data is None:
            kept.pop(name)
        else:
            kept[name] = data
    with tarfile.open(backup, "w") as tar:
        for name, data in kept.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_a_missing_manifest_is_named(backup: Path, tmp_path: Path) -> None:
    rewritten(backup, {"manifest.json": None})
    with pytest.raises(FileFormatError, match=r"it has no manifest\.json"):
        archive.read(backup, tmp_path / "out")


def test_an_unknown_format_is_named(backup: Path, tmp_path: Path) -> None:
    with tarfile.open(backup) as tar:
        plain = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
    plain["format_version"] = 99
    rewritten(backup, {"manifest.json": json.dumps(plain).encode()})
    with pytest.raises(FileFormatError, match="backup format 99, this weerbaar reads format 1"):
        archive.read(backup, tmp_path / "out")
    plain["format"] = "something-else"
    rewritten(backup, {"manifest.json": json.dumps(plain).encode()})
    with pytest.raises(FileFormatError, match="not that of a weerbaar backup"):
        archive.read(backup, tmp_path / "out")


def test_a_member_of_the_wrong_size_or_unlisted_is_named(backup: Path, tmp_path: Path) -> None:
    rewritten(backup, {"extra.sh": b"#!/bin/sh\n"})
    with pytest.raises(FileFormatError, match=r"members its manifest does not list: extra\.sh"):
        archive.read(backup, tmp_path / "out")
    rewritten(backup, {"extra.sh": None, PUBLIC_KEY_MEMBER: b"longer than it was before"})
    with pytest.raises(FileFormatError, match=r"checkpoint-signing.pub.pem has 25 bytes"):
        archive.read(backup, tmp_path / "out2")


def test_scheduled_backups_are_named_by_time_and_pruned_by_name(tmp_path: Path) -> None:
    moment = dt.datetime(2025, 1, 31, 2, 0, tzinfo=dt.UTC)
    first = files.new_name(tmp_path, moment)
    assert first.name == "weerbaar-20250131T020000Z.tar"
    first.write_bytes(b"1")
    second = files.new_name(tmp_path, moment)
    assert second.name == "weerbaar-20250131T020000Z-2.tar"
    second.write_bytes(b"2")
    for day in (1, 2, 3):
        files.new_name(tmp_path, moment + dt.timedelta(days=day)).write_bytes(b"x")
    mine = tmp_path / "weerbaar-keep-this.tar"
    mine.write_bytes(b"an operator's own file")
    gone = files.prune(tmp_path, 2, spare=tmp_path / "weerbaar-20250203T020000Z.tar")
    assert [p.name for p in gone] == [
        "weerbaar-20250131T020000Z.tar",
        "weerbaar-20250131T020000Z-2.tar",
        "weerbaar-20250201T020000Z.tar",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "weerbaar-20250202T020000Z.tar",
        "weerbaar-20250203T020000Z.tar",
        "weerbaar-keep-this.tar",
    ]
    # The one just made is kept, even when its name says it is older (a clock set back).
    early = files.new_name(tmp_path, moment)
    early.write_bytes(b"just made")
    assert [p.name for p in files.prune(tmp_path, 1, spare=early)] == [
        "weerbaar-20250202T020000Z.tar",
        "weerbaar-20250203T020000Z.tar",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [early.name, mine.name]
