"""The parts of a backup besides the archive: the checkpoint lines it takes and gives
back, the keys sealed with a passphrase, and PostgreSQL's tools."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from weerbaar.config import TrailConfig
from weerbaar.domain.checkpoints import Checkpoint
from weerbaar.errors import ConfigError, StepError, TrailKeyError, UnauthenticatedError
from weerbaar.storage import checkpoints
from weerbaar.storage.backup import checkpoint_log, key_vault, postgres
from weerbaar.storage.trail_keys import CHAIN_KEY_FILE, create_keys, load_keys

TRAIL = "5e1d8c2a-7b44-4f0e-a1c9-2d3b4e5f6a7b"


@pytest.fixture
def trail(tmp_path: Path) -> TrailConfig:
    config = TrailConfig(tmp_path / "keys", tmp_path / "checkpoints")
    create_keys(config)
    return config


def checkpoint(config: TrailConfig, seq: int) -> None:
    keys = load_keys(config)
    at = f"2025-01-31T02:00:{seq:02d}+00:00"
    checkpoints.write(config, keys, Checkpoint(TRAIL, seq, f"{seq:064x}", at, keys.key_id))


def test_a_backup_takes_the_checkpoints_up_to_its_head_only(trail: TrailConfig) -> None:
    for seq in (0, 2, 5, 7):
        checkpoint(trail, seq)
    taken = checkpoint_log.up_to(trail, TRAIL, 5)
    assert [line.count(b'"seq":') for line in taken.splitlines()] == [1, 1, 1]
    assert b'"seq":7' not in taken and b'"seq":5' in taken


def test_a_folder_that_has_seen_more_of_the_trail_refuses_it(
    trail: TrailConfig, tmp_path: Path
) -> None:
    for seq in (0, 2, 5):
        checkpoint(trail, seq)
    lines = checkpoint_log.up_to(trail, TRAIL, 2)
    refusal = checkpoint_log.beyond(trail, TRAIL, 2)
    assert isinstance(refusal, StepError)
    assert "records 5 entries" in str(refusal) and "WEERBAAR_CHECKPOINT_DIR" in str(refusal)
    with pytest.raises(StepError, match="would hide the loss"):
        checkpoint_log.add(trail, TRAIL, lines, 2)
    assert checkpoint_log.beyond(trail, TRAIL, 5) is None
    # A new folder takes the lines; adding them again adds nothing.
    fresh = TrailConfig(trail.key_dir, tmp_path / "fresh")
    assert checkpoint_log.add(fresh, TRAIL, lines, 2) == 2
    assert checkpoint_log.add(fresh, TRAIL, lines, 2) == 0
    read = checkpoints.read(fresh, load_keys(trail), TRAIL)
    assert [c.seq for _, c in read.good] == [0, 2] and not read.bad


def test_keys_sealed_with_a_passphrase_open_with_it_only(
    trail: TrailConfig, tmp_path: Path
) -> None:
    bound = key_vault.binding(TRAIL, load_keys(trail).key_id)
    sealing, sealed = key_vault.seal(trail.key_dir, "correct horse battery", bound_to=bound)
    assert b"BEGIN PRIVATE KEY" not in sealed
    again = key_vault.Sealing.from_plain(sealing.as_plain(), where="b.tar")
    with pytest.raises(UnauthenticatedError, match="passphrase does not open the keys"):
        key_vault.unseal(again, sealed, "wrong horse", bound_to=bound)
    with pytest.raises(UnauthenticatedError):  # another trail's keys cannot pass for these
        key_vault.unseal(again, sealed, "correct horse battery", bound_to=bound + "x")
    opened = key_vault.unseal(again, sealed, "correct horse battery", bound_to=bound)
    target = tmp_path / "new-keys"
    key_vault.place(target, opened)
    assert load_keys(TrailConfig(target, target)).key_id == load_keys(trail).key_id
    assert os.stat(target / CHAIN_KEY_FILE).st_mode & 0o077 == 0
    key_vault.place(target, opened)  # the same keys again: nothing to do
    other = tmp_path / "other-keys"
    create_keys(TrailConfig(other, other))
    with pytest.raises(TrailKeyError, match="never overwritten"):
        key_vault.place(other, opened)


def test_the_tools_get_a_uri_without_the_password() -> None:
    uri, extra = postgres.libpq(
        "postgresql+psycopg://app:s3cr%40t@db.example:5433/reg?sslmode=require"
    )
    assert uri == "postgresql://app@db.example:5433/reg?sslmode=require"
    assert extra == {"PGPASSWORD": "s3cr@t"}
    assert postgres.libpq("postgresql+psycopg://app@/reg?host=/run/postgresql")[1] == {}


def test_missing_or_old_tools_are_named(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"pg_dump and pg_restore are not in .*WEERBAAR_PG_BINDIR"
    ):
        postgres.find_tools(tmp_path, 15)
    found = postgres.find_tools(None, 10)
    assert found.major >= 10 and found.dump.name == "pg_dump"
    with pytest.raises(ConfigError, match=f"is PostgreSQL {found.major}, older than the server"):
        postgres.find_tools(found.dump.parent, found.major + 1)
