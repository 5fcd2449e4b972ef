"""``weerbaar backup``, ``weerbaar backup --verify`` and ``weerbaar restore``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from weerbaar import i18n
from weerbaar.cli.render import console
from weerbaar.cli.state import state
from weerbaar.config import Settings
from weerbaar.errors import AuditChainError, Issue, ValidationError, said
from weerbaar.i18n import N_, _, ngettext
from weerbaar.services.backups import (
    BackupCheck,
    MadeBackup,
    Restored,
    Step,
    make_backup,
    restore_backup,
    verify_backup,
)
from weerbaar.services.context import Context
from weerbaar.services.trail_check import TrailReport

BACKUP_HELP = N_(
    "Back the register up into one file while it is in use: the database, the audit "
    "trail's checkpoints and their public key. With --verify, check a backup by "
    "restoring it into a scratch database and verifying its audit trail there."
)
RESTORE_HELP = N_(
    "Restore a backup into an empty database (--db or WEERBAAR_DB), once its audit trail "
    "verifies; an older register is migrated to this version's schema."
)


def backup(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help=N_(
                "the backup file to write, or a folder to write weerbaar-<time>.tar in; "
                "with --verify, the backup to check"
            ),
            show_default=False,
            metavar="FILE",
        ),
    ],
    verify: Annotated[
        bool,
        typer.Option(
            "--verify",
            help=N_("check the backup FILE instead of making one; the register is not touched"),
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help=N_("replace FILE if it exists already"))
    ] = False,
    keep: Annotated[
        int | None,
        typer.Option(
            "--keep",
            min=1,
            help=N_("FILE is a folder: keep only the N newest backups weerbaar made in it"),
            show_default=False,
            metavar="N",
        ),
    ] = None,
    with_keys: Annotated[
        bool,
        typer.Option(
            "--with-keys",
            help=N_(
                "also put the audit trail's keys in, sealed with a passphrase "
                "(WEERBAAR_BACKUP_PASSPHRASE, else asked twice)"
            ),
        ),
    ] = False,
) -> None:
    st = state(ctx)
    settings = st.settings
    if verify:
        if force or keep is not None or with_keys:
            raise typer.BadParameter(
                _("--verify checks a backup: it takes no --force, --keep or --with-keys"),
                param_hint="--verify",
            )
        with _steps() as step:
            check = verify_backup(
                file,
                server=st.database(require_schema=False),
                passphrase=lambda: _passphrase(settings),
                pg_bindir=settings.backup.pg_bindir,
                step=step,
            )
        _say_check(file, check)
        return
    passphrase = _new_passphrase(settings) if with_keys else None
    with _steps() as step:
        made = make_backup(
            st.database(require_schema=False),
            file,
            force=force,
            keep=keep,
            passphrase=passphrase,
            pg_bindir=settings.backup.pg_bindir,
            step=step,
        )
    _say_made(made, settings)


def restore(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help=N_("the backup file"), show_default=False, metavar="FILE")
    ],
) -> None:
    st = state(ctx)
    settings = st.settings
    target = Context(db=st.database(require_schema=False), actor=settings.actor)
    with _steps() as step:
        restored = restore_backup(
            file,
            target,
            passphrase=lambda: _passphrase(settings),
            pg_bindir=settings.backup.pg_bindir,
            step=step,
        )
    _say_restored(file, restored, target, settings)


@contextmanager
def _steps() -> Iterator[Step]:
    """What long step runs now, on a terminal's stderr only."""
    err = console(stderr=True)
    if not err.is_terminal:
        yield lambda _: None
        return
    with err.status(escape(_("starting"))) as status:
        yield lambda text: status.update(escape(i18n.translated(text)))


def _new_passphrase(settings: Settings) -> str:
    given = settings.backup.passphrase
    if given is None:
        given = _ask(_("Passphrase that seals the keys in the backup"))
        if given and given != _ask(_("The same passphrase again")):
            raise _refused(said("the two passphrases differ"))
    if not given:
        raise _refused(said("the passphrase may not be empty"))
    return given


def _passphrase(settings: Settings) -> str:
    given = settings.backup.passphrase
    if given is None:
        given = _ask(_("Passphrase of the keys in the backup"))
    if not given:
        raise _refused(said("the passphrase may not be empty"))
    return given


def _ask(question: str) -> str:
    answer: str = typer.prompt(question, default="", show_default=False, hide_input=True)
    return answer


def _refused(reason: str) -> ValidationError:
    return ValidationError([Issue("", "passphrase", reason)], summary=said("no passphrase"))


def _size(count: int) -> str:
    for factor, unit in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if count >= factor:
            return f"{i18n.format_number(count / factor, 1)} {unit}"
    return ngettext("%(num)d byte", "%(num)d bytes", count)


def _say_made(made: MadeBackup, settings: Settings) -> None:
    out = console()
    head = made.manifest.head
    out.print(
        escape(
            _(
                "backup written to %(file)s (%(size)s): the register at schema %(schema)s "
                "and its audit trail up to entry %(seq)s (hash %(hash)s…)",
                file=made.path,
                size=_size(made.size),
                schema=made.manifest.schema_revision,
                seq=head.seq,
                hash=head.hash[:16],
            )
        )
    )
    if made.manifest.keys is not None:
        out.print(escape(_("the trail's keys are in it, sealed with the passphrase")))
    else:
        out.print(
            escape(
                _(
                    "the trail's keys are not in it: keep the key folder %(folder)s backed up "
                    "apart from it",
                    folder=settings.trail.key_dir,
                )
            )
        )
    if made.pruned:
        names = ", ".join(path.name for path in made.pruned)
        out.print(
            escape(
                ngettext(
                    "removed %(num)d older backup: %(names)s",
                    "removed %(num)d older backups: %(names)s",
                    len(made.pruned),
                    names=names,
                )
            )
        )


def _say_findings(report: TrailReport) -> None:
    out = console()
    for note in report.notes:
        out.print(f"[yellow]![/yellow] {escape(note)}")
    for finding in report.findings:
        out.print(f"[red]✗[/red] {escape(str(finding))}")


def _say_check(file: Path, check: BackupCheck) -> None:
    report = check.report
    manifest = check.manifest
    _say_findings(report)
    if not report.intact:
        found = ngettext(
            "the backup's trail does not verify: %(num)d finding; the first: %(first)s",
            "the backup's trail does not verify: %(num)d findings; the first: %(first)s",
            len(report.findings),
            first=report.findings[0],
        )
        raise AuditChainError(None, found)
    console().print(
        escape(
            _(
                "OK: %(file)s restores and its audit trail verifies. Made %(created)s by "
                "weerbaar %(version)s (%(dialect)s, schema %(schema)s); head: entry "
                "%(seq)s; %(entries)s entries sealed under key %(key)s, %(checkpoints)s "
                "signed checkpoint(s) agree, %(records)s records and accounts match the trail",
                file=file,
                created=manifest.created_at,
                version=manifest.weerbaar_version,
                dialect=manifest.dialect,
                schema=manifest.schema_revision,
                seq=manifest.head.seq,
                entries=report.entries,
                key=report.key_id,
                checkpoints=report.checkpoints,
                records=report.records,
            )
        )
    )


def _say_restored(file: Path, restored: Restored, target: Context, settings: Settings) -> None:
    out = console()
    manifest = restored.manifest
    _say_findings(restored.report)
    out.print(
        escape(
            _(
                "restored %(file)s (made %(created)s; audit trail up to entry %(seq)s, "
                "verified: %(records)s records and accounts) into %(url)s; audit entry "
                "%(entry)s records the restore",
                file=file,
                created=manifest.created_at,
                seq=manifest.head.seq,
                records=restored.report.records,
                url=target.db.display_url(),
                entry=restored.entry,
            )
        )
    )
    if restored.migrated_from is not None:
        out.print(
            escape(
                _(
                    "migrated from schema %(old)s to %(new)s",
                    old=restored.migrated_from,
                    new=target.db.schema_state()[1],
                )
            )
        )
    if restored.keys_placed:
        out.print(
            escape(
                _(
                    "the trail's keys from the backup are now in %(folder)s: back that folder "
                    "up apart from the database",
                    folder=settings.trail.key_dir,
                )
            )
        )
    if restored.checkpoints_added:
        out.print(
            escape(
                ngettext(
                    "%(num)d checkpoint added to %(folder)s",
                    "%(num)d checkpoints added to %(folder)s",
                    restored.checkpoints_added,
                    folder=settings.trail.checkpoint_dir,
                )
            )
        )
    if manifest.dialect == "postgresql":
        out.print(
            escape(
                _(
                    "privileges are not in a backup: if the web app connects as a role of its "
                    "own, run `weerbaar init --app-role ROLE` again"
                )
            )
        )
