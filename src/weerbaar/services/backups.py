"""Backups that restore: one file made while the register is in use, checked by
restoring it somewhere else, and restored only into an empty database once its audit
trail verifies (docs/backups.md).

A backup that restores is one whose trail verifies: :func:`verify_backup` restores it
into a scratch database and runs the checks of ``weerbaar audit verify`` there, with
the checkpoints the backup carries; :func:`restore_backup` does the same before it
puts anything where the register goes, so a damaged or tampered backup leaves the
target as it was.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError

from weerbaar import __version__
from weerbaar.config import TrailConfig
from weerbaar.domain.audit import Change, canonical_json
from weerbaar.errors import (
    AuditChainError,
    ConfigError,
    Issue,
    NotInitialisedError,
    StepError,
    TrailKeyError,
    ValidationError,
    said,
)
from weerbaar.services.context import Context, utc_now
from weerbaar.services.trail_check import TrailReport, verify_trail
from weerbaar.storage import audit_log
from weerbaar.storage.audit_log import Head
from weerbaar.storage.backup import (
    archive,
    checkpoint_log,
    files,
    key_vault,
    postgres,
    snapshot_state,
    sqlite_snapshot,
)
from weerbaar.storage.backup.manifest import (
    DATABASE_MEMBERS,
    KEYS_MEMBER,
    PUBLIC_KEY_MEMBER,
    Manifest,
    TrailHead,
    checkpoint_member,
    refused,
)
from weerbaar.storage.checkpoints import log_path
from weerbaar.storage.db import SCHEMA_HEAD, Database
from weerbaar.storage.trail_keys import PUBLIC_KEY_FILE, keys_exist, load_keys

Step = Callable[[str], None]  # told what long step begins, for a progress display
Passphrase = Callable[[], str]  # asked only when the keys sealed in a backup are needed


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class MadeBackup:
    path: Path
    size: int  # bytes
    manifest: Manifest
    pruned: list[Path]  # older backups removed (--keep)


@dataclass(frozen=True, slots=True)
class BackupCheck:
    manifest: Manifest
    report: TrailReport  # of the trail restored into a scratch database


@dataclass(frozen=True, slots=True)
class Restored:
    manifest: Manifest
    report: TrailReport
    migrated_from: str | None  # the backup's schema, if it was migrated after restore
    keys_placed: bool  # the backup's keys went into the key folder
    checkpoints_added: int
    entry: int  # the audit entry that records the restore


def make_backup(
    db: Database,
    destination: Path,
    *,
    force: bool = False,
    keep: int | None = None,
    passphrase: str | None = None,
    pg_bindir: Path | None = None,
    clock: Callable[[], dt.datetime] = utc_now,
    step: Step = _quiet,
) -> MadeBackup:
    """Back up ``db`` to the file ``destination``, or to a new file in it if it is a
    folder (then ``keep`` prunes its older backups). ``passphrase``: also the trail's
    keys, sealed with it."""
    moment = clock().astimezone(dt.UTC)
    into_folder = destination.is_dir()
    if keep is not None and not into_folder:
        raise ValidationError(
            [Issue("", "--keep", said("--keep prunes a folder of backups: give a folder"))],
            summary=said("no backup made"),
        )
    path = files.new_name(destination, moment) if into_folder else destination
    if path.exists() and not force:
        raise StepError(
            said(
                "%(file)s exists already: choose another name, or give --force to replace it",
                file=str(path),
            )
        )
    staging = Path(tempfile.mkdtemp(prefix=".weerbaar-backup-", dir=path.parent))
    try:
        dialect = db.engine.dialect.name
        snapshot = staging / DATABASE_MEMBERS[dialect]
        step(said("taking a snapshot of the database"))
        revision, head = _snapshot(db, snapshot, pg_bindir)
        staged = {DATABASE_MEMBERS[dialect]: snapshot}
        # The checkpoint log is read after the snapshot, and only the lines up to the
        # snapshot's head are kept. A checkpoint is written just after its commit, so
        # one written meanwhile can name entries the snapshot does not hold: kept, it
        # would make the restored trail look cut. Reading the log before the snapshot
        # would avoid those too, but would miss the checkpoint of the snapshot's own
        # head, which is usually written by the time the snapshot is taken.
        lines = checkpoint_log.up_to(db.trail, head.trail, head.seq)
        if lines:
            staged[checkpoint_member(head.trail)] = _staged(staging, "checkpoint.log", lines)
        public = _read_key_file(db.trail.key_dir / PUBLIC_KEY_FILE)
        staged[PUBLIC_KEY_MEMBER] = _staged(staging, PUBLIC_KEY_MEMBER, public)
        sealing = None
        if passphrase is not None:
            how, sealed = key_vault.seal(
                db.trail.key_dir, passphrase, bound_to=key_vault.binding(head.trail, head.key_id)
            )
            sealing = how.as_plain()
            staged[KEYS_MEMBER] = _staged(staging, KEYS_MEMBER, sealed)
        step(said("writing %(file)s", file=str(path)))
        manifest = Manifest(
            weerbaar_version=__version__,
            schema_revision=revision,
            dialect=dialect,
            created_at=moment.isoformat(timespec="seconds"),
            head=TrailHead(head.trail, head.key_id, head.seq, head.hash),
            members={name: archive.describe(source) for name, source in staged.items()},
            keys=sealing,
        )
        size = archive.write(path, manifest, staged, force=force)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    pruned = files.prune(destination, keep, spare=path) if keep is not None else []
    return MadeBackup(path, size, manifest, pruned)


def _staged(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _read_key_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise TrailKeyError(
            said(
                "the checkpoint public key is missing: no %(file)s. Restore the key folder "
                "from its backup (or set WEERBAAR_KEY_DIR to where it is)",
                file=str(path),
            )
        ) from None


def _snapshot(db: Database, into: Path, pg_bindir: Path | None) -> tuple[str, Head]:
    """Copy the register into ``into``: its schema revision and trail head, as of
    the copy."""
    try:
        if db.engine.dialect.name == "sqlite":
            sqlite_snapshot.snapshot(sqlite_snapshot.database_path(db.url), into)
            copy = Database(f"sqlite:///{into}", trail=db.trail)
            try:
                with copy.engine.connect() as connection:
                    revision = snapshot_state.revision(connection)
                    head = snapshot_state.head(connection) if revision else None
            finally:
                copy.dispose()
            return _backupable(db, revision, head)
        with postgres.exported_snapshot(db.engine) as (name, connection):
            revision = snapshot_state.revision(connection)
            head = snapshot_state.head(connection) if revision else None
            found = _backupable(db, revision, head)
            tools = postgres.find_tools(pg_bindir, postgres.server_major(connection))
            postgres.dump(tools, db.url, name, into)
            return found
    except OperationalError as exc:
        raise ConfigError(
            said("database %(url)s is unusable: %(detail)s", url=db.display_url(), detail=exc.orig)
        ) from exc


def _backupable(db: Database, revision: str | None, head: Head | None) -> tuple[str, Head]:
    if revision is None:
        raise NotInitialisedError(
            said(
                "database %(url)s has no register yet: nothing to back up",
                url=db.display_url(),
            )
        )
    if head is None:
        raise NotInitialisedError(
            said(
                "the audit trail of %(url)s is not sealed under a key yet (schema %(schema)s): "
                "copy the database as it is, then run `weerbaar init`",
                url=db.display_url(),
                schema=revision,
            )
        )
    return revision, head


def verify_backup(
    path: Path,
    *,
    server: Database,
    passphrase: Passphrase,
    pg_bindir: Path | None = None,
    step: Step = _quiet,
) -> BackupCheck:
    """Restore the backup at ``path`` into a scratch database and verify its trail
    there. ``server``: the settings' database, whose key folder holds the trail's
    key (else the keys sealed in the backup are used) and, for a PostgreSQL backup,
    whose server holds the scratch database. ``server`` itself is not touched."""
    staging = Path(tempfile.mkdtemp(prefix="weerbaar-verify-"))
    try:
        step(said("reading %(file)s", file=str(path)))
        manifest, members = archive.read(path, staging / "members")
        _known_schema(manifest, str(path))
        with _key_folder(manifest, members, server.trail.key_dir, passphrase, str(path)) as keys:
            checks = TrailConfig(keys.folder, staging / "members" / "checkpoints")
            with _restored_copy(manifest, members, server, pg_bindir, step) as url:
                report = _verified(url, manifest, keys.folder, checks, staging, str(path), step)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BackupCheck(manifest, report)


def restore_backup(
    path: Path,
    ctx: Context,
    *,
    passphrase: Passphrase,
    pg_bindir: Path | None = None,
    step: Step = _quiet,
) -> Restored:
    """Restore the backup at ``path`` into ``ctx.db``, which must be empty, once its
    trail verifies; the restore is then recorded in the trail."""
    target = ctx.db
    where = str(path)
    _require_empty(target)
    dialect = target.engine.dialect.name
    # An SQLite copy is made beside the target, so that moving it into place is a rename.
    beside = sqlite_snapshot.database_path(target.url).parent if dialect == "sqlite" else None
    staging = Path(tempfile.mkdtemp(prefix=".weerbaar-restore-", dir=beside))
    try:
        step(said("reading %(file)s", file=where))
        manifest, members = archive.read(path, staging / "members")
        if manifest.dialect != dialect:
            raise ConfigError(
                said(
                    "%(file)s is a backup of a %(found)s database, and %(url)s is %(target)s: "
                    "restore it into a %(found)s database",
                    file=where,
                    found=manifest.dialect,
                    url=target.display_url(),
                    target=dialect,
                )
            )
        _known_schema(manifest, where)
        head = manifest.head
        refusal = checkpoint_log.beyond(target.trail, head.trail, head.seq)
        if refusal is not None:
            raise refusal
        # The restored trail is checked against the backup's checkpoints and those the
        # target's folder already has of it: none may contradict it.
        lines = _checkpoint_lines(members, head.trail)
        known = checkpoint_log.merged(log_path(target.trail, head.trail), lines)
        with _key_folder(manifest, members, target.trail.key_dir, passphrase, where) as keys:
            checks = TrailConfig(keys.folder, staging / "checkpoints")
            checks.checkpoint_dir.mkdir()
            log_path(checks, head.trail).write_bytes(known)
            with _restored_copy(manifest, members, target, pg_bindir, step) as url:
                report = _verified(url, manifest, keys.folder, checks, staging, where, step)
            if not report.intact:
                raise AuditChainError(
                    None,
                    said(
                        "the audit trail in %(file)s does not verify, so nothing was "
                        "restored (%(count)s finding(s); the first: %(first)s). Run "
                        "`weerbaar backup --verify` on it for all of them",
                        file=where,
                        count=len(report.findings),
                        first=str(report.findings[0]),
                    ),
                )
            if keys.unsealed is not None:
                key_vault.place(target.trail.key_dir, keys.unsealed)
        step(said("restoring into %(url)s", url=target.display_url()))
        snapshot = members[manifest.database_member]
        if dialect == "sqlite":
            # The restore's own checkpoint goes with the others, into the target's
            # folder once the register is in place: a restore cut short before then
            # leaves a folder that takes the backup again.
            staged = replace(target.trail, checkpoint_dir=checks.checkpoint_dir)
            entry = _put_sqlite_in_place(snapshot, ctx, staged, manifest, where)
            signed = log_path(staged, head.trail).read_bytes()
            added = checkpoint_log.add(target.trail, head.trail, signed, entry)
        else:
            # The checkpoints first: the restore's own is then written after them.
            added = checkpoint_log.add(target.trail, head.trail, lines, head.seq)
            entry = _put_postgres_in_place(snapshot, ctx, manifest, where, pg_bindir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    migrated = None if manifest.schema_revision == SCHEMA_HEAD else manifest.schema_revision
    return Restored(manifest, report, migrated, keys.unsealed is not None, added, entry)


def _require_empty(db: Database) -> None:
    current, _ = db.schema_state()
    if current is not None:
        raise StepError(
            said(
                "database %(url)s already has a register: a backup is restored only into an "
                "empty database. Create a new one and point --db (or WEERBAAR_DB) at it",
                url=db.display_url(),
            )
        )
    try:
        with db.engine.connect() as connection:
            tables = inspect(connection).get_table_names()
    except OperationalError as exc:
        raise ConfigError(
            said("database %(url)s is unusable: %(detail)s", url=db.display_url(), detail=exc.orig)
        ) from exc
    if tables:
        raise StepError(
            said(
                "database %(url)s is not empty (it holds tables of something other than a "
                "register): a backup is restored only into an empty database",
                url=db.display_url(),
            )
        )


def _known_schema(manifest: Manifest, where: str) -> None:
    if manifest.schema_revision == SCHEMA_HEAD:
        return
    if not snapshot_state.known_revision(manifest.schema_revision):
        raise refused(
            where,
            said(
                "its register is at schema %(found)s, which this weerbaar (schema %(newest)s) "
                "does not know: it was made by a newer weerbaar. Restore it with that version "
                "or a newer one",
                found=manifest.schema_revision,
                newest=SCHEMA_HEAD,
            ),
        )


def _checkpoint_lines(members: dict[str, Path], trail: str) -> bytes:
    found = members.get(checkpoint_member(trail))
    return b"" if found is None else found.read_bytes()


@dataclass(frozen=True, slots=True)
class _Keys:
    folder: Path  # the key folder that verifies the backup's trail
    unsealed: dict[str, bytes] | None  # the backup's own keys, if those are the ones


@contextmanager
def _key_folder(
    manifest: Manifest,
    members: dict[str, Path],
    key_dir: Path,
    passphrase: Passphrase,
    where: str,
) -> Iterator[_Keys]:
    """The keys that verify the backup's trail: those in ``key_dir`` if it has any
    (they must be the trail's), else those sealed in the backup, unsealed into a
    private temporary folder for as long as they are needed."""
    head = manifest.head
    public = members[PUBLIC_KEY_MEMBER].read_bytes()
    if keys_exist(TrailConfig(key_dir, key_dir)):
        keys = load_keys(TrailConfig(key_dir, key_dir))
        if keys.key_id != head.key_id:
            raise TrailKeyError(
                said(
                    "the audit trail in %(file)s is sealed with key %(theirs)s, but the key "
                    "folder %(folder)s holds key %(ours)s. Use that trail's own key folder "
                    "(WEERBAAR_KEY_DIR), or an empty one to take the keys a backup made with "
                    "--with-keys holds",
                    file=where,
                    theirs=head.key_id,
                    folder=str(key_dir),
                    ours=keys.key_id,
                )
            )
        _same_checkpoint_key(public, keys.public, where)
        yield _Keys(key_dir, None)
        return
    if manifest.keys is None:
        raise TrailKeyError(
            said(
                "the key folder %(folder)s holds no keys, and %(file)s was made without "
                "them: restore the key folder from its own backup first (or set "
                "WEERBAAR_KEY_DIR to it)",
                folder=str(key_dir),
                file=where,
            )
        )
    sealing = key_vault.Sealing.from_plain(manifest.keys, where=where)
    unsealed = key_vault.unseal(
        sealing,
        members[KEYS_MEMBER].read_bytes(),
        passphrase(),
        bound_to=key_vault.binding(head.trail, head.key_id),
    )
    with tempfile.TemporaryDirectory(prefix="weerbaar-keys-") as private:
        folder = Path(private) / "keys"
        key_vault.place(folder, unsealed)
        keys = load_keys(TrailConfig(folder, folder))
        if keys.key_id != head.key_id:
            raise TrailKeyError(
                said("the keys in %(file)s are not those of its audit trail", file=where)
            )
        _same_checkpoint_key(public, keys.public, where)
        yield _Keys(folder, unsealed)


def _same_checkpoint_key(pem: bytes, public: Ed25519PublicKey, where: str) -> None:
    if not key_vault.same_public_key(pem, public):
        raise TrailKeyError(
            said(
                "the checkpoints in %(file)s are signed with another key than the trail's "
                "own checkpoint key",
                file=where,
            )
        )


@contextmanager
def _restored_copy(
    manifest: Manifest,
    members: dict[str, Path],
    server: Database,
    pg_bindir: Path | None,
    step: Step,
) -> Iterator[str]:
    """The URL of a database that holds the backup's register: the snapshot file
    itself for SQLite, a scratch database on ``server``'s server for PostgreSQL
    (dropped afterwards, whatever happened in it)."""
    snapshot = members[manifest.database_member]
    if manifest.dialect == "sqlite":
        yield f"sqlite:///{snapshot}"
        return
    if server.engine.dialect.name != "postgresql":
        raise ConfigError(
            said(
                "this is a backup of a PostgreSQL database: checking it needs a PostgreSQL "
                "server to restore it into; point --db (or WEERBAAR_DB) at one",
            )
        )
    tools = _tools(server, pg_bindir)
    with postgres.scratch_database(server.engine) as url:
        step(said("restoring into a scratch database"))
        postgres.restore(tools, url, snapshot)
        yield url


def _tools(db: Database, pg_bindir: Path | None) -> postgres.Tools:
    try:
        with db.engine.connect() as connection:
            major = postgres.server_major(connection)
    except OperationalError as exc:
        raise ConfigError(
            said("database %(url)s is unusable: %(detail)s", url=db.display_url(), detail=exc.orig)
        ) from exc
    return postgres.find_tools(pg_bindir, major)


def _verified(
    url: str,
    manifest: Manifest,
    key_dir: Path,
    checks: TrailConfig,
    staging: Path,
    where: str,
    step: Step,
) -> TrailReport:
    """Migrate the restored register at ``url`` if it is older than this weerbaar,
    then verify its trail against the checkpoints in ``checks``."""
    # The migration writes a checkpoint when it finds none: into a folder of its own,
    # so that it can never stand in for the checkpoints the backup lacks.
    migrating = Database(url, trail=TrailConfig(key_dir, staging / "migration-checkpoints"))
    try:
        with migrating.engine.connect() as connection:
            found = snapshot_state.head(connection)
        expected = manifest.head
        if found is None or (found.trail, found.key_id, found.seq, found.hash) != (
            expected.trail,
            expected.key_id,
            expected.seq,
            expected.hash,
        ):
            raise refused(
                where,
                said("its register does not hold the audit trail head its manifest names"),
            )
        if manifest.schema_revision != SCHEMA_HEAD:
            step(said("migrating the restored register to schema %(schema)s", schema=SCHEMA_HEAD))
            migrating.upgrade()
    finally:
        migrating.dispose()
    step(said("verifying the audit trail"))
    checker = Database(url, trail=checks)
    try:
        return verify_trail(checker)
    finally:
        checker.dispose()


def _put_sqlite_in_place(
    snapshot: Path, ctx: Context, trail: TrailConfig, manifest: Manifest, where: str
) -> int:
    """Record the restore in the verified copy (its checkpoint kept as ``trail``
    says), then move the copy where the register goes."""
    restored = Database(f"sqlite:///{snapshot}", trail=trail)
    try:
        entry = _record_restore(restored, ctx, manifest, where)
    finally:
        restored.dispose()
    sqlite_snapshot.seal_file(snapshot)
    target = sqlite_snapshot.database_path(ctx.db.url)
    ctx.db.dispose()  # its connections would go on reading the empty file it had
    sqlite_snapshot.move_into_place(snapshot, target)
    return entry


def _put_postgres_in_place(
    dump: Path, ctx: Context, manifest: Manifest, where: str, pg_bindir: Path | None
) -> int:
    """Restore the verified dump into the target, in one transaction, and record it.

    The dump was verified in a scratch database first: restoring straight into the
    target and dropping what came in on a failed check would need to know every
    object the dump made, and would leave the target changed if the process died in
    between. The scratch database costs a second restore and the CREATEDB privilege,
    and leaves the target untouched by anything that did not verify."""
    postgres.restore(_tools(ctx.db, pg_bindir), ctx.db.url, dump)
    if manifest.schema_revision != SCHEMA_HEAD:
        ctx.db.upgrade()
    return _record_restore(ctx.db, ctx, manifest, where)


def _record_restore(db: Database, ctx: Context, manifest: Manifest, where: str) -> int:
    head = manifest.head
    after = canonical_json(
        {
            "file": Path(where).name,
            "created_at": manifest.created_at,
            "head": head.seq,
            "head_hash": head.hash,
            "schema": manifest.schema_revision,
            "weerbaar_version": manifest.weerbaar_version,
        }
    )
    stamp = ctx.clock().astimezone(dt.UTC).isoformat(timespec="microseconds")
    change = Change(stamp, ctx.actor, "restore", "backups", manifest.created_at, None, after)
    with db.transaction(write=True) as connection:
        written = audit_log.append(connection, [change])
    return written[-1].seq
