"""Backups that restore, on SQLite and PostgreSQL: taken while the register is being
written, restored only into an empty database and only when the trail verifies, and
a refused restore leaves the target as it was."""

from __future__ import annotations

import tarfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, update

from tests.conftest import _fresh_pg_database
from tests.helpers import seed_small_register, trail_config
from weerbaar.config import TrailConfig
from weerbaar.errors import (
    AuditChainError,
    ConfigError,
    FileFormatError,
    StepError,
    TrailKeyError,
    UnauthenticatedError,
)
from weerbaar.services import backups
from weerbaar.services.context import Context
from weerbaar.services.records import create_record
from weerbaar.services.trail_check import verify_trail
from weerbaar.storage import audit_log, checkpoints
from weerbaar.storage.backup.key_vault import KEY_FILES
from weerbaar.storage.db import SCHEMA_HEAD, Database, _alembic_config
from weerbaar.storage.tables import audit_entries, entity_tables
from weerbaar.storage.trail_keys import CHAIN_KEY_FILE, create_keys
from weerbaar.storage.trail_seal import unguard_statements

PASSPHRASE = "a long passphrase for the keys"


def no_passphrase() -> str:
    raise AssertionError("the passphrase was asked for, but the key folder has the keys")


@pytest.fixture
def empty_url(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A new, empty database of the same kind as ``db_url``."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path}/restored/register.db"
    else:
        yield from _fresh_pg_database(request.getfixturevalue("pg_admin"))


@pytest.fixture
def target(empty_url: str, tmp_path: Path) -> Iterator[Database]:
    """The empty database, with the test run's keys and a checkpoint folder of its own."""
    database = Database(empty_url, trail=TrailConfig(trail_config().key_dir, tmp_path / "cp"))
    yield database
    database.dispose()


def organisations(db: Database) -> int:
    with db.engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(entity_tables["organisations"])
            ).scalar_one()
        )


def is_empty(db: Database) -> bool:
    with db.engine.connect() as connection:
        tables = inspect(connection).get_table_names()
    db.dispose()
    return tables == []


def organisation(number: int) -> dict[str, object]:
    return {"key": f"org-{number}", "name": f"Organisation {number}", "kind": "ministry"}


@dataclass
class Writer:
    """Creates organisations, one transaction each, until told to stop."""

    url: str
    trail: TrailConfig
    stop: threading.Event = field(default_factory=threading.Event)
    written: int = 0
    failed: list[BaseException] = field(default_factory=list)

    def run(self) -> None:
        database = Database(self.url, trail=self.trail)
        ctx = Context(db=database, actor="test:writer")
        try:
            while not self.stop.is_set():
                create_record(ctx, entity_name="organisations", raw=organisation(self.written))
                self.written += 1
        except BaseException as exc:
            self.failed.append(exc)
        finally:
            database.dispose()

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 120
        while self.written < count and not self.failed and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not self.failed and self.written >= count, self.failed


def test_a_backup_taken_while_writing_restores_to_one_moment(
    db: Database, target: Database, tmp_path: Path
) -> None:
    writer = Writer(db.url, db.trail)
    thread = threading.Thread(target=writer.run)
    thread.start()
    try:
        writer.wait_for(5)
        made = backups.make_backup(db, tmp_path / "backup.tar")
        head = made.manifest.head.seq
        writer.wait_for(head + 3)  # the writes went on past the snapshot
    finally:
        writer.stop.set()
        thread.join()
    assert not writer.failed
    assert head >= 5 and organisations(db) > head
    restored = backups.restore_backup(
        made.path, Context(db=target, actor="test:restorer"), passphrase=no_passphrase
    )
    assert restored.report.intact and restored.report.head == head
    # One entry per organisation: the restored register holds exactly what the trail
    # had recorded when the snapshot was taken.
    assert organisations(target) == head == restored.report.records
    after = verify_trail(target)
    assert after.findings == [] and after.head == head + 1 == restored.entry
    with target.transaction() as connection:
        entry = audit_log.entries(connection, limit=1)[0]
    assert (entry.action, entry.entity, entry.actor) == ("restore", "backups", "test:restorer")
    assert f'"head":{head}' in (entry.after or "")
    newest = checkpoints.last_seq(target.trail, made.manifest.head.trail)
    assert newest == head + 1  # the restore's own entry is checkpointed in the new folder


def test_damaged_backups_are_refused_and_the_target_stays_empty(
    db: Database, target: Database, tmp_path: Path
) -> None:
    seed_small_register(Context(db=db, actor="test:analyst"))
    made = backups.make_backup(db, tmp_path / "backup.tar")
    whole = made.path.read_bytes()
    member = made.manifest.database_member
    with tarfile.open(made.path) as tar:
        info = tar.getmember(member)
    flipped = bytearray(whole)
    flipped[info.offset_data + info.size // 2] ^= 0x40
    other = tmp_path / "register.csv"
    other.write_text("key,name\nnctv,NCTV\n")
    cases = {
        bytes(flipped): f"{member} is damaged: its SHA-256 is not the one in the manifest",
        whole[: len(whole) // 2]: "cut short",
    }
    ctx = Context(db=target, actor="test:restorer")
    for data, reason in cases.items():
        made.path.write_bytes(data)
        with pytest.raises(FileFormatError, match=reason):
            backups.restore_backup(made.path, ctx, passphrase=no_passphrase)
        with pytest.raises(FileFormatError, match=reason):
            backups.verify_backup(made.path, server=target, passphrase=no_passphrase)
    with pytest.raises(FileFormatError, match=r"register\.csv is not a usable backup"):
        backups.restore_backup(other, ctx, passphrase=no_passphrase)
    assert is_empty(target)
    assert not target.trail.checkpoint_dir.exists()
    assert [p.name for p in made.path.parent.iterdir() if p.name.startswith(".weerbaar")] == []


def test_a_tampered_trail_is_refused_by_restore_and_verify(
    db: Database, target: Database, tmp_path: Path
) -> None:
    seed_small_register(Context(db=db, actor="test:analyst"))
    with db.engine.begin() as connection:
        for statement in unguard_statements(connection.dialect.name):
            connection.exec_driver_sql(statement)
        connection.execute(
            update(audit_entries).where(audit_entries.c.seq == 3).values(actor="someone-else")
        )
    made = backups.make_backup(db, tmp_path / "backup.tar")  # a backup is evidence too
    check = backups.verify_backup(made.path, server=target, passphrase=no_passphrase)
    assert not check.report.intact
    assert (check.report.findings[0].check, check.report.findings[0].place) == ("chain", "entry 3")
    with pytest.raises(AuditChainError, match="does not verify, so nothing was restored"):
        backups.restore_backup(
            made.path, Context(db=target, actor="test:restorer"), passphrase=no_passphrase
        )
    assert is_empty(target)
    assert not target.trail.checkpoint_dir.exists()


def test_only_an_empty_database_takes_a_backup(db: Database, tmp_path: Path) -> None:
    made = backups.make_backup(db, tmp_path / "backup.tar")
    with pytest.raises(StepError, match="already has a register: a backup is restored only"):
        backups.restore_backup(
            made.path, Context(db=db, actor="test:restorer"), passphrase=no_passphrase
        )


def test_a_checkpoint_folder_that_saw_more_of_the_trail_is_not_hidden(
    db: Database, target: Database, tmp_path: Path
) -> None:
    ctx = Context(db=db, actor="test:analyst")
    create_record(ctx, entity_name="organisations", raw=organisation(1))
    made = backups.make_backup(db, tmp_path / "backup.tar")
    create_record(ctx, entity_name="organisations", raw=organisation(2))
    # The database is lost; the checkpoints of its trail, in the same folder, are not.
    same_folder = Database(target.url, trail=db.trail)
    try:
        with pytest.raises(StepError, match=r"records 2 entries of this audit trail.*only 1"):
            backups.restore_backup(
                made.path, Context(db=same_folder, actor="test:restorer"), passphrase=no_passphrase
            )
        assert is_empty(same_folder)
    finally:
        same_folder.dispose()


def test_the_keys_come_back_with_the_passphrase_only(
    db: Database, target: Database, tmp_path: Path
) -> None:
    seed_small_register(Context(db=db, actor="test:analyst"))
    made = backups.make_backup(db, tmp_path, passphrase=PASSPHRASE)
    assert made.manifest.keys is not None and made.path.parent == tmp_path

    def restore(key_dir: Path, passphrase: str) -> backups.Restored:
        into = Database(target.url, trail=TrailConfig(key_dir, target.trail.checkpoint_dir))
        try:
            ctx = Context(db=into, actor="test:restorer")
            return backups.restore_backup(made.path, ctx, passphrase=lambda: passphrase)
        finally:
            into.dispose()

    # Keys of another trail in the folder: the backup's are neither used nor placed.
    other = tmp_path / "other-keys"
    create_keys(TrailConfig(other, other))
    with pytest.raises(TrailKeyError, match=r"sealed with key .* but the key folder"):
        restore(other, PASSPHRASE)
    new_keys = tmp_path / "new-keys"
    with pytest.raises(UnauthenticatedError, match="passphrase does not open the keys"):
        restore(new_keys, "not the passphrase")
    assert is_empty(target) and not (new_keys / CHAIN_KEY_FILE).exists()
    restored = restore(new_keys, PASSPHRASE)
    assert restored.keys_placed and restored.report.intact
    for name in KEY_FILES:
        assert (new_keys / name).read_bytes() == (db.trail.key_dir / name).read_bytes()
    with_new_keys = Database(target.url, trail=TrailConfig(new_keys, target.trail.checkpoint_dir))
    try:
        assert verify_trail(with_new_keys).findings == []
    finally:
        with_new_keys.dispose()


def test_an_older_register_is_migrated_after_it_is_restored(
    db_url: str, target: Database, tmp_path: Path
) -> None:
    from alembic import command

    older = Database(db_url, trail=TrailConfig(trail_config().key_dir, tmp_path / "old-cp"))
    config = _alembic_config(older.engine)
    config.attributes["trail_keys"] = older.keys()
    command.upgrade(config, "0019")
    with older.transaction() as connection:
        head = audit_log.head(connection)
    assert head is not None
    older.write_checkpoint(head)
    made = backups.make_backup(older, tmp_path / "backup.tar")
    older.dispose()
    assert made.manifest.schema_revision == "0019"
    restored = backups.restore_backup(
        made.path, Context(db=target, actor="test:restorer"), passphrase=no_passphrase
    )
    assert restored.migrated_from == "0019"
    assert target.schema_state() == (SCHEMA_HEAD, SCHEMA_HEAD)
    assert verify_trail(target).findings == []


@pytest.fixture
def other_kind_url(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A new, empty database of the other kind than ``db_url``."""
    if db_url.startswith("sqlite"):
        yield from _fresh_pg_database(request.getfixturevalue("pg_admin"))
    else:
        yield f"sqlite:///{tmp_path}/other.db"


def test_a_backup_goes_only_into_a_database_of_its_own_kind(
    db: Database, other_kind_url: str, tmp_path: Path
) -> None:
    made = backups.make_backup(db, tmp_path / "backup.tar")
    other = Database(other_kind_url, trail=TrailConfig(trail_config().key_dir, tmp_path / "cp"))
    try:
        with pytest.raises(ConfigError, match=r"is a backup of a \w+ database, and .* is \w+"):
            backups.restore_backup(
                made.path, Context(db=other, actor="test:restorer"), passphrase=no_passphrase
            )
        assert is_empty(other)
    finally:
        other.dispose()
