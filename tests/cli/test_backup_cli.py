"""``weerbaar backup``, ``backup --verify`` and ``restore`` as an operator runs them:
what they print, in English and Dutch, and their exit codes."""

from __future__ import annotations

import re
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, update
from typer.testing import CliRunner

from tests.conftest import _fresh_pg_database
from tests.helpers import trail_config
from weerbaar.cli.main import app
from weerbaar.storage.db import Database
from weerbaar.storage.tables import audit_entries
from weerbaar.storage.trail_keys import CHAIN_KEY_FILE
from weerbaar.storage.trail_seal import unguard_statements

ORGANISATION = ["organisation", "add", "--name", "JenV", "--kind", "ministry"]


@pytest.fixture
def empty_url(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path}/restored/register.db"
    else:
        yield from _fresh_pg_database(request.getfixturevalue("pg_admin"))


@pytest.fixture
def register(runner: CliRunner, db: Database) -> CliRunner:
    """The runner over a register with two organisations (two audit entries)."""
    for key in ("min-jenv", "min-bzk"):
        added = runner.invoke(app, [*ORGANISATION[:2], key, *ORGANISATION[2:]])
        assert added.exit_code == 0, added.output
    return runner


def ran(runner: CliRunner, *args: str, code: int = 0, given: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=given)
    assert result.exit_code == code, result.output
    return " ".join(result.output.split())  # Rich's line wrapping undone


def into(monkeypatch: pytest.MonkeyPatch, url: str, checkpoints: Path) -> None:
    """Point the commands at the database ``url``, with checkpoints of its own."""
    monkeypatch.setenv("WEERBAAR_DB", url)
    monkeypatch.setenv("WEERBAAR_CHECKPOINT_DIR", str(checkpoints))


def empty(url: str) -> bool:
    database = Database(url, trail=trail_config())
    try:
        with database.engine.connect() as connection:
            return inspect(connection).get_table_names() == []
    finally:
        database.dispose()


def test_back_up_verify_and_restore(
    register: CliRunner, empty_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "register.tar"
    made = ran(register, "backup", str(file))
    assert f"backup written to {file} (" in made
    assert "its audit trail up to entry 2 (hash" in made
    assert "the trail's keys are not in it: keep the key folder" in made
    again = ran(register, "backup", str(file), code=4)
    assert "exists already: choose another name, or give --force to replace it" in again
    ran(register, "backup", "--force", str(file))

    checked = ran(register, "backup", "--verify", str(file))
    assert f"OK: {file} restores and its audit trail verifies" in checked
    assert "head: entry 2; 2 entries sealed under key" in checked
    assert "2 records and accounts match the trail" in checked

    into(monkeypatch, empty_url, tmp_path / "restored-checkpoints")
    restored = ran(register, "restore", str(file))
    assert f"restored {file} (made " in restored
    assert "audit trail up to entry 2, verified: 2 records and accounts" in restored
    assert "audit entry 3 records the restore" in restored
    assert "checkpoints added to" in restored
    assert "audit trail intact: 3 entries" in ran(register, "audit", "verify")
    assert "restore" in ran(register, "audit", "log", "--limit", "1")
    refused = ran(register, "restore", str(file), code=4)
    assert "already has a register: a backup is restored only into an empty database" in refused


def test_damaged_and_tampered_backups_are_refused(
    register: CliRunner,
    db_url: str,
    empty_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    file = tmp_path / "register.tar"
    ran(register, "backup", str(file))
    whole = file.read_bytes()
    with tarfile.open(file) as tar:
        member = next(m for m in tar.getmembers() if m.name.startswith("database."))
    flipped = bytearray(whole)
    flipped[member.offset_data + member.size // 3] ^= 0x01
    damaged = tmp_path / "damaged.tar"
    damaged.write_bytes(bytes(flipped))
    cut = tmp_path / "cut.tar"
    cut.write_bytes(whole[: len(whole) // 2])
    notes = tmp_path / "notes.txt"
    notes.write_text("no backup\n")

    database = Database(db_url, trail=trail_config())
    with database.engine.begin() as connection:
        for statement in unguard_statements(connection.dialect.name):
            connection.exec_driver_sql(statement)
        connection.execute(update(audit_entries).where(audit_entries.c.seq == 1).values(key="x"))
    database.dispose()
    tampered = tmp_path / "tampered.tar"
    ran(register, "backup", str(tampered))

    into(monkeypatch, empty_url, tmp_path / "restored-checkpoints")
    expected = {
        damaged: (7, f"{member.name} is damaged: its SHA-256 is not the one in the manifest"),
        cut: (7, "cut short"),
        notes: (7, "notes.txt is not a usable backup: it is not a tar archive"),
        tampered: (9, "does not verify, so nothing was restored"),
        tmp_path / "missing.tar": (7, "missing.tar: no such file or folder"),
    }
    for path, (code, message) in expected.items():
        assert message in ran(register, "restore", str(path), code=code), path
    checked = ran(register, "backup", "--verify", str(tampered), code=9)
    assert "✗ chain: entry 1: content was altered" in checked
    assert "the backup's trail does not verify" in checked
    assert empty(empty_url)


def test_scheduled_backups_keep_the_newest(register: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    for _ in range(3):
        made = ran(register, "backup", "--keep", "2", str(folder))
    assert "removed 1 older backup: weerbaar-" in made
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 2 and all(
        re.fullmatch(r"weerbaar-\d{8}T\d{6}Z(-\d)?\.tar", n) for n in names
    )
    misuse = ran(register, "backup", "--keep", "2", str(tmp_path / "one.tar"), code=3)
    assert "--keep prunes a folder of backups" in misuse
    ran(register, "backup", "--verify", "--force", str(folder / names[0]), code=2)


def test_keys_sealed_with_a_passphrase(
    register: CliRunner, empty_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "with-keys.tar"
    differ = ran(register, "backup", "--with-keys", str(file), code=3, given="one\ntwo\n")
    assert "the two passphrases differ" in differ and not file.exists()
    blank = ran(register, "backup", "--with-keys", str(file), code=3, given="\n")
    assert "the passphrase may not be empty" in blank
    made = ran(register, "backup", "--with-keys", str(file), given="pass phrase\npass phrase\n")
    assert "the trail's keys are in it, sealed with the passphrase" in made

    keys = tmp_path / "new-keys"
    monkeypatch.setenv("WEERBAAR_KEY_DIR", str(keys))
    wrong = ran(register, "backup", "--verify", str(file), code=10, given="guess\n")
    assert "the passphrase does not open the keys in this backup" in wrong
    assert "OK:" in ran(register, "backup", "--verify", str(file), given="pass phrase\n")
    assert not keys.exists()  # checking a backup places no keys

    into(monkeypatch, empty_url, tmp_path / "restored-checkpoints")
    monkeypatch.setenv("WEERBAAR_BACKUP_PASSPHRASE", "pass phrase")
    restored = ran(register, "restore", str(file))
    assert f"the trail's keys from the backup are now in {keys}" in restored
    assert (keys / CHAIN_KEY_FILE).exists()
    assert "audit trail intact: 3 entries" in ran(register, "audit", "verify")


def test_backups_in_dutch(
    register: CliRunner, empty_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEERBAAR_LANG", "nl")
    file = tmp_path / "register.tar"
    made = ran(register, "backup", str(file))
    assert f"back-up geschreven naar {file} (" in made and "tot en met vermelding 2" in made
    assert "backup written" not in made
    assert "exists already" not in (again := ran(register, "backup", str(file), code=4))
    assert "bestaat al" in again
    checked = ran(register, "backup", "--verify", str(file))
    assert "OK:" in checked and "het auditspoor klopt" in checked
    notes = tmp_path / "notes.txt"
    notes.write_text("no backup\n")
    into(monkeypatch, empty_url, tmp_path / "restored-checkpoints")
    refused = ran(register, "restore", str(notes), code=7)
    assert "is geen bruikbare back-up: het is geen tar-archief" in refused
    restored = ran(register, "restore", str(file))
    assert "teruggezet (gemaakt" in restored and "records the restore" not in restored
