"""The audit trail cannot be cut, rewritten or bypassed unseen.

Each attack is made the way someone holding the database (but not the key folder)
would: the database's own guards dropped first, then rows changed directly.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from tests.helpers import SMALL_REGISTER, seed_small_register
from weerbaar.config import TrailConfig
from weerbaar.domain.audit import AuditEntry, ChainKey, canonical_json, legacy_hash
from weerbaar.errors import AuditChainError, ConfigError, TrailKeyError
from weerbaar.services.context import Context
from weerbaar.services.records import update_record
from weerbaar.services.trail_check import TrailReport, sign_head, verify_trail
from weerbaar.storage import audit_log
from weerbaar.storage.db import Database
from weerbaar.storage.tables import audit_entries, audit_head, entity_tables, login_failures
from weerbaar.storage.trail_seal import unguard_statements


@contextmanager
def attacker(db: Database) -> Iterator[Connection]:
    """A transaction with the trail's guards dropped, as one who holds the database."""
    with db.engine.begin() as connection:
        for statement in unguard_statements(connection.dialect.name):
            connection.exec_driver_sql(statement)
        yield connection


def entries(db: Database) -> list[AuditEntry]:
    with db.transaction() as connection:
        return list(audit_log.ascending(connection))


def checks(report: TrailReport) -> set[str]:
    return {f.check for f in report.findings}


def test_an_untouched_trail_verifies_with_its_checkpoints(ctx: Context) -> None:
    report = verify_trail(ctx.db)
    assert report.intact and report.entries == 0 and report.checkpoints >= 1
    seed_small_register(ctx)
    report = verify_trail(ctx.db)
    assert report.findings == []
    assert report.entries == len(SMALL_REGISTER) == report.head
    assert report.records == len(SMALL_REGISTER)
    assert report.newest_checkpoint == report.head and report.unsigned() == 0


def test_the_database_refuses_to_change_or_remove_an_entry(ctx: Context) -> None:
    seed_small_register(ctx)
    with pytest.raises(DBAPIError, match="append-only"), ctx.db.engine.begin() as connection:
        connection.execute(update(audit_entries).values(actor="mallory"))
    with pytest.raises(DBAPIError, match="append-only"), ctx.db.engine.begin() as connection:
        connection.execute(delete(audit_entries).where(audit_entries.c.seq == 2))
    with pytest.raises(DBAPIError, match="forward"), ctx.db.engine.begin() as connection:
        connection.execute(update(audit_head).values(seq=1))
    with pytest.raises(DBAPIError, match="never removed"), ctx.db.engine.begin() as connection:
        connection.execute(delete(audit_head))
    assert verify_trail(ctx.db).intact


def test_an_altered_entry_is_named(ctx: Context) -> None:
    seed_small_register(ctx)
    with attacker(ctx.db) as connection:
        connection.execute(
            update(audit_entries).where(audit_entries.c.seq == 3).values(actor="someone-else")
        )
    report = verify_trail(ctx.db)
    assert report.findings[0].check == "chain" and report.findings[0].place == "entry 3"


def test_a_removed_entry_in_the_middle_is_named(ctx: Context) -> None:
    seed_small_register(ctx)
    with attacker(ctx.db) as connection:
        connection.execute(delete(audit_entries).where(audit_entries.c.seq == 4))
    report = verify_trail(ctx.db)
    assert report.findings[0].place == "entry 4" and "missing" in report.findings[0].reason


def test_cutting_the_newest_entries_and_moving_the_head_back_is_found(ctx: Context) -> None:
    seed_small_register(ctx)
    last = len(SMALL_REGISTER)
    kept = entries(ctx.db)[last - 3]
    with attacker(ctx.db) as connection:
        connection.execute(delete(audit_entries).where(audit_entries.c.seq > kept.seq))
        connection.execute(update(audit_head).values(seq=kept.seq, hash=kept.hash))
    report = verify_trail(ctx.db)
    assert "chain" not in checks(report)  # the shortened chain itself fits
    cut = [f for f in report.findings if f.check == "checkpoints"]
    assert cut and all("the trail was cut" in f.reason for f in cut)
    assert any(f"had {last} entries, now it has {kept.seq}" in f.reason for f in cut)


def test_removing_every_entry_and_the_head_is_found(ctx: Context) -> None:
    seed_small_register(ctx)
    trail = verify_trail(ctx.db)
    assert trail.intact
    with attacker(ctx.db) as connection:
        genesis = connection.execute(select(audit_head.c.trail)).scalar_one()
        connection.execute(delete(audit_entries))
        connection.execute(update(audit_head).values(seq=0, hash="0" * 64))
    report = verify_trail(ctx.db)
    assert "checkpoints" in checks(report) and genesis
    with attacker(ctx.db) as connection:
        connection.execute(delete(audit_head))
    report = verify_trail(ctx.db)
    assert not report.intact and "missing" in report.findings[0].reason


def test_a_chain_recomputed_without_the_key_is_found(ctx: Context) -> None:
    seed_small_register(ctx)
    original = entries(ctx.db)
    guessed = ChainKey(hashlib.sha256(b"a guess").digest(), "whatever")
    _rewrite_from(ctx.db, original, 3, lambda e, prev: guessed.seal(e, prev))
    report = verify_trail(ctx.db)
    assert report.findings[0].place == "entry 3"
    assert "another key" in report.findings[0].reason
    # Plain SHA-256, as the chain was before it was keyed, does not fit either.
    _rewrite_from(
        ctx.db,
        original,
        3,
        lambda e, prev: dataclasses.replace(
            e, prev_hash=prev, hash=legacy_hash(dataclasses.replace(e, prev_hash=prev))
        ),
    )
    assert verify_trail(ctx.db).findings[0].place == "entry 3"


def test_a_chain_recomputed_with_a_stolen_key_is_caught_by_the_checkpoints(ctx: Context) -> None:
    seed_small_register(ctx)
    original = entries(ctx.db)
    with ctx.db.transaction() as connection:
        trail = connection.execute(select(audit_head.c.trail)).scalar_one()
    stolen = ctx.db.keys().chain_key(trail)
    _rewrite_from(ctx.db, original, 3, lambda e, prev: stolen.seal(e, prev))
    report = verify_trail(ctx.db)
    assert "chain" not in checks(report)
    rewritten = [f for f in report.findings if f.check == "checkpoints"]
    assert rewritten and "rewritten" in rewritten[0].reason


def _rewrite_from(db: Database, original: list[AuditEntry], seq: int, seal: object) -> None:
    """Change entry ``seq``'s after and hash it and every later entry again with ``seal``."""
    assert callable(seal)
    prev = original[seq - 2].hash
    rewritten = []
    for entry in original[seq - 1 :]:
        if entry.seq == seq:
            entry = dataclasses.replace(entry, actor="mallory")
        new = seal(entry, prev)
        rewritten.append(new)
        prev = new.hash
    with attacker(db) as connection:
        connection.execute(delete(audit_entries).where(audit_entries.c.seq >= seq))
        connection.execute(insert(audit_entries), [dataclasses.asdict(e) for e in rewritten])
        connection.execute(update(audit_head).values(seq=rewritten[-1].seq, hash=prev))


def test_a_forged_entry_appended_is_found(ctx: Context) -> None:
    seed_small_register(ctx)
    last = entries(ctx.db)[-1]
    forged = ChainKey(b"k" * 32, "t").seal(
        AuditEntry(
            seq=last.seq + 1,
            at=last.at,
            actor="cli:admin",
            action="delete",
            entity="themes",
            key="terrorism",
            before=None,
            after=None,
            prev_hash="",
            hash="",
        ),
        last.hash,
    )
    with attacker(ctx.db) as connection:
        connection.execute(insert(audit_entries).values(**dataclasses.asdict(forged)))
        connection.execute(update(audit_head).values(seq=forged.seq, hash=forged.hash))
    report = verify_trail(ctx.db)
    assert report.findings[0].place == f"entry {forged.seq}"


def test_a_register_row_changed_without_an_entry_is_found(ctx: Context) -> None:
    seed_small_register(ctx)
    scenarios = entity_tables["scenarios"]
    with ctx.db.engine.begin() as connection:  # no guard is needed for this one
        connection.execute(
            update(scenarios)
            .where(scenarios.c.key == "attack-station")
            .values(title="Nothing happened")
        )
    report = verify_trail(ctx.db)
    assert checks(report) == {"replay"}
    assert report.findings[0].place == "scenario attack-station"
    assert "title" in report.findings[0].reason


def test_rows_added_or_removed_without_an_entry_are_found(ctx: Context) -> None:
    seed_small_register(ctx)
    themes = entity_tables["themes"]
    with ctx.db.engine.begin() as connection:
        row = dict(connection.execute(select(themes)).mappings().first() or {})
        original_key = row["key"]
        row["key"] = "smuggled-in"
        connection.execute(insert(themes).values(**row))
    report = verify_trail(ctx.db)
    assert [f.place for f in report.findings] == ["theme smuggled-in"]
    assert "no audit entry" in report.findings[0].reason
    update_record(ctx, entity_name="themes", key=original_key, changes={"name": "Renamed"})
    report = verify_trail(ctx.db)
    assert [f.place for f in report.findings] == ["theme smuggled-in"]


def test_an_account_raised_without_an_entry_is_found(ctx: Context) -> None:
    from weerbaar.services.accounts import add_user

    seed_small_register(ctx)
    add_user(
        ctx,
        username="jdevries",
        password="a long enough password",
        role="viewer",
        organisation="nctv",
        clearance="public",
    )
    with ctx.db.engine.begin() as connection:
        connection.execute(text("UPDATE users SET clearance = 'stg-g', role = 'administrator'"))
    report = verify_trail(ctx.db)
    assert [f.place for f in report.findings] == ["account jdevries"]
    assert "clearance" in report.findings[0].reason and "role" in report.findings[0].reason


def test_an_altered_or_forged_checkpoint_is_found(ctx: Context) -> None:
    seed_small_register(ctx)
    with ctx.db.transaction() as connection:
        trail = connection.execute(select(audit_head.c.trail)).scalar_one()
    path = ctx.db.trail.checkpoint_dir / f"{trail}.log"
    lines = path.read_text("utf-8").splitlines()
    plain = json.loads(lines[-1])
    plain["seq"] = 1  # as if the trail had been short all along
    path.write_text("\n".join([*lines[:-1], canonical_json(plain)]) + "\n", "utf-8")
    report = verify_trail(ctx.db)
    assert any("signature" in f.reason for f in report.findings)


def test_a_line_cut_short_by_a_crash_is_only_noted(ctx: Context) -> None:
    seed_small_register(ctx)
    with ctx.db.transaction() as connection:
        trail = connection.execute(select(audit_head.c.trail)).scalar_one()
    path = ctx.db.trail.checkpoint_dir / f"{trail}.log"
    with path.open("a", encoding="utf-8") as file:
        file.write('{"trail": "' + trail)  # the process died mid-line
    update_record(ctx, entity_name="themes", key=_a_theme(ctx), changes={"name": "After"})
    report = verify_trail(ctx.db)
    assert report.intact and report.unsigned() == 0
    assert len(report.notes) == 1 and "skipped" in report.notes[0]


def _a_theme(ctx: Context) -> str:
    with ctx.db.transaction() as connection:
        return str(connection.execute(select(entity_tables["themes"].c.key)).scalars().first())


def test_no_write_without_the_trails_own_key(ctx: Context, db_url: str, tmp_path: Path) -> None:
    seed_small_register(ctx)
    elsewhere = TrailConfig(tmp_path / "other-keys", tmp_path / "other-keys" / "checkpoints")
    stranger = Database(db_url, trail=elsewhere)
    try:
        with pytest.raises(TrailKeyError, match="not in"):
            stranger.upgrade()  # new keys would not open this trail
        assert not (tmp_path / "other-keys" / "audit-chain.key").exists()
        from weerbaar.storage.trail_keys import create_keys

        create_keys(elsewhere)
        with pytest.raises(TrailKeyError, match="sealed with key"):
            update_record(
                Context(db=stranger, actor="test:x"),
                entity_name="themes",
                key=_a_theme(ctx),
                changes={"name": "Other key"},
            )
        report = verify_trail(stranger)
        assert checks(report) == {"key"}
    finally:
        stranger.dispose()
    assert verify_trail(ctx.db).intact


def test_a_trail_without_checkpoints_is_not_called_intact(ctx: Context) -> None:
    seed_small_register(ctx)
    with ctx.db.transaction() as connection:
        trail = connection.execute(select(audit_head.c.trail)).scalar_one()
    (ctx.db.trail.checkpoint_dir / f"{trail}.log").unlink()
    report = verify_trail(ctx.db)
    assert checks(report) == {"checkpoints"} and "no checkpoints" in report.findings[0].reason
    seq, where = sign_head(ctx.db)
    assert seq == len(SMALL_REGISTER) and where.endswith(f"{trail}.log")
    assert verify_trail(ctx.db).intact


def test_an_existing_unkeyed_trail_is_checked_and_sealed_on_migration(
    db_url: str, tmp_path: Path
) -> None:
    from alembic import command

    from weerbaar.storage.db import _alembic_config

    db = Database(db_url, trail=TrailConfig(tmp_path / "keys", tmp_path / "keys" / "cp"))
    try:
        command.upgrade(_alembic_config(db.engine), "0007")
        legacy = _legacy_trail(db, broken=False)
        db.upgrade()
        report = verify_trail(db)
        assert report.intact and report.entries == len(legacy)
        sealed = entries(db)
        assert [(e.seq, e.after) for e in sealed] == [(e.seq, e.after) for e in legacy]
        assert sealed[0].hash != legacy[0].hash
    finally:
        db.dispose()


def test_a_broken_unkeyed_trail_is_not_sealed(db_url: str, tmp_path: Path) -> None:
    from alembic import command

    from weerbaar.storage.db import _alembic_config

    db = Database(db_url, trail=TrailConfig(tmp_path / "keys", tmp_path / "keys" / "cp"))
    try:
        command.upgrade(_alembic_config(db.engine), "0007")
        _legacy_trail(db, broken=True)
        with pytest.raises(AuditChainError, match="hide that"):
            db.upgrade()
        assert db.schema_state()[0] == "0007"
    finally:
        db.dispose()


def _legacy_trail(db: Database, *, broken: bool) -> list[AuditEntry]:
    """A theme created, renamed and deleted under the unkeyed chain of schema 0007."""
    out, prev = [], "0" * 64
    states = [
        canonical_json({"key": "old", "name": name, "classification": "public", "version": v})
        for v, name in ((1, "Old"), (2, "Older"))
    ]
    steps: list[tuple[str, str | None, str | None]] = [
        ("create", None, states[0]),
        ("update", states[0], states[1]),
        ("delete", states[1], None),
    ]
    for seq, (action, before, after) in enumerate(steps, start=1):
        entry = AuditEntry(
            seq=seq,
            at=f"2026-01-0{seq}T00:00:00.000000+00:00",
            actor="cli:old",
            action=action,
            entity="themes",
            key="old",
            before=before,
            after=after,
            prev_hash=prev,
            hash="",
        )
        entry = dataclasses.replace(entry, hash=legacy_hash(entry))
        out.append(entry)
        prev = entry.hash
    with db.engine.begin() as connection:
        rows = [{k: v for k, v in dataclasses.asdict(e).items() if k != "note"} for e in out]
        if broken:
            rows[1]["actor"] = "mallory"
        connection.execute(
            text(
                "INSERT INTO audit_entries (seq, at, actor, action, entity, key, before, "
                "after, prev_hash, hash) VALUES (:seq, :at, :actor, :action, :entity, :key, "
                ":before, :after, :prev_hash, :hash)"
            ),
            rows,
        )
        connection.execute(
            text("UPDATE audit_head SET seq = 3, hash = :h WHERE id = 1"), {"h": prev}
        )
    return out


def test_the_application_role_may_only_add_to_the_trail(
    ctx: Context, db_url: str, pg_admin: object
) -> None:
    if not db_url.startswith("postgresql"):
        with pytest.raises(ConfigError, match="PostgreSQL"):
            ctx.db.grant_application_role("weerbaar_app")
        return
    seed_small_register(ctx)
    role = f"app_{uuid.uuid4().hex[:8]}"
    assert hasattr(pg_admin, "connect")
    with pg_admin.connect() as connection:
        connection.execute(text(f'CREATE ROLE "{role}"'))
    try:
        ctx.db.grant_application_role(role)
        with ctx.db.engine.connect() as connection:
            with connection.begin():
                connection.execute(text(f'SET ROLE "{role}"'))
            with connection.begin():
                themes = entity_tables["themes"]
                assert connection.execute(select(themes.c.key)).first() is not None
                connection.execute(update(themes).values(name="renamed by the app"))
                # A failed sign-in's row takes its number from a sequence of the owner's.
                failure = {"username": "admin", "address": "192.0.2.1", "at": "2025-01-01"}
                connection.execute(insert(login_failures).values(failure))
            for attempt in (
                "UPDATE audit_entries SET actor = 'mallory'",
                "DELETE FROM audit_entries",
                "TRUNCATE audit_entries",
                "DROP TRIGGER audit_entries_append_only ON audit_entries",
            ):
                with pytest.raises(DBAPIError), connection.begin():
                    connection.execute(text(attempt))
            with connection.begin():
                connection.execute(text("RESET ROLE"))
    finally:
        ctx.db.dispose()
        with ctx.db.engine.begin() as connection:
            connection.execute(text(f'DROP OWNED BY "{role}"'))
        ctx.db.dispose()
        with pg_admin.connect() as connection:
            connection.execute(text(f'DROP ROLE "{role}"'))
    assert verify_trail(ctx.db).findings[0].check == "replay"  # the app's edit, unaudited


def test_a_checkpoint_that_cannot_be_written_leaves_the_write_and_says_so(
    ctx: Context, db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    seed_small_register(ctx)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the checkpoints should go", "utf-8")
    elsewhere = Database(db_url, trail=TrailConfig(ctx.db.trail.key_dir, blocked))
    try:
        with caplog.at_level(logging.ERROR, logger="weerbaar.audit"):
            saved = update_record(
                Context(db=elsewhere, actor="test:x"),
                entity_name="themes",
                key=_a_theme(ctx),
                changes={"name": "Saved all the same"},
            )
    finally:
        elsewhere.dispose()
    assert saved.version == 2
    assert any("checkpoint not written" in r.getMessage() for r in caplog.records)
    report = verify_trail(ctx.db)
    assert report.intact and report.unsigned() == 1
