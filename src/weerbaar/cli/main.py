"""The ``weerbaar`` command: parse, call a service, render. No business rules here."""

from __future__ import annotations

import errno
import os
from typing import Annotated, Any

import typer
from rich.markup import escape
from typer.core import TyperGroup

from weerbaar import __version__, errors, i18n
from weerbaar.cli import (
    actors,
    assess,
    audit,
    backup,
    bench,
    capabilities,
    cascade,
    declassify,
    diagram,
    glossary,
    helptext,
    levels,
    notify,
    portfolio,
    profile,
    report,
    rounds,
    sensitivity,
    serve,
    sessions,
    signals,
    sources,
    tiers,
    transfer,
    users,
    worker,
)
from weerbaar.cli.entities import add_entity_commands
from weerbaar.cli.render import console
from weerbaar.cli.state import State, state
from weerbaar.config import environment_language, load_settings
from weerbaar.domain.request_ids import current_request_id, new_request_id
from weerbaar.i18n import N_
from weerbaar.log_format import configure_logging

EXIT_CODES: tuple[tuple[type[errors.WeerbaarError], int], ...] = (
    (errors.ValidationError, 3),
    (errors.ConflictError, 4),
    (errors.StepError, 4),
    (errors.NotFoundError, 5),
    (errors.NotInitialisedError, 6),
    (errors.ConfigError, 6),
    (errors.FileFormatError, 7),
    (errors.ReferencedError, 8),
    (errors.DuplicateError, 8),
    (errors.AuditChainError, 9),
    (errors.ForbiddenError, 10),
    (errors.UnauthenticatedError, 10),
    (errors.RateLimitedError, 10),
)
FILE_ERROR_CODE = 7  # as for a file whose content cannot be read

# What a failed file operation means, in words that say what to change.
_FILE_PROBLEMS = {
    errno.ENOENT: i18n.N_("no such file or folder"),
    errno.EISDIR: i18n.N_("is a folder, where a file is needed"),
    errno.ENOTDIR: i18n.N_("part of the path is a file, where a folder is needed"),
    errno.EEXIST: i18n.N_("exists already (a file where a folder is needed?)"),
    errno.EACCES: i18n.N_("permission denied"),
    errno.EPERM: i18n.N_("not permitted"),
    errno.EROFS: i18n.N_("on a read-only file system"),
    errno.ENOSPC: i18n.N_("no space left on the device"),
}


def file_error(exc: OSError) -> tuple[str, int]:
    """The message and exit code for a file or folder the system would not read or
    write: the path and what is wrong with it. An error that names no path (a
    network one, say) is said as it is, with exit code 1."""
    # Of a move (a file written beside its target, then renamed), the target.
    named = exc.filename2 if exc.filename2 is not None else exc.filename
    known = _FILE_PROBLEMS.get(exc.errno or 0)
    reason = i18n.gettext(known) if known else exc.strerror or str(exc)
    if named is None or isinstance(named, int):
        return reason, 1
    return f"{os.fsdecode(named)}: {reason}", FILE_ERROR_CODE


class _Group(TyperGroup):
    """The root group: weerbaar's own errors, and files the system will not read or
    write, become a message and an exit code, for every subcommand, however it is
    invoked; help reads in the language of the process's environment."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with i18n.speaking(_help_language()):
            helptext.speak(self)
            return super().main(*args, **kwargs)

    # typer declares invoke on its vendored click Context, which it does not export.
    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except errors.WeerbaarError as exc:
            code = next((c for kind, c in EXIT_CODES if isinstance(exc, kind)), 1)
            _complain(i18n.error_text(exc))
            ctx.exit(code)
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise  # output piped into a reader that stopped: click ends quietly
            message, code = file_error(exc)
            _complain(message)
            ctx.exit(code)


def _help_language() -> str:
    # A language weerbaar does not speak is refused when the command runs, not here.
    return environment_language(i18n.language())


def _complain(message: str) -> None:
    label = i18n.gettext("error:")
    console(stderr=True).print(f"[bold red]{label}[/] {escape(message)}", soft_wrap=True)


app = typer.Typer(
    cls=_Group,
    name="weerbaar",
    help=N_(
        "The national register of threats and scenarios and the strengthened approach "
        "to risks and threats."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"weerbaar {__version__}")
        raise typer.Exit


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help=N_("database URL (default: $WEERBAAR_DB, else SQLite in your data folder)"),
            show_default=False,
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            help=N_(
                "who acts, for the audit trail (default: $WEERBAAR_USER, else your system account)"
            ),
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help=N_("print the version and stop")
        ),
    ] = False,
) -> None:
    settings = load_settings(db=db, user=user)
    ctx.call_on_close(configure_logging(settings.logs.format, settings.logs.level))
    # A command is one request: its log lines and audit entries name the same id.
    request = current_request_id.set(new_request_id())
    ctx.call_on_close(lambda: current_request_id.reset(request))
    spoken = i18n.set_language(settings.language)
    ctx.obj = State(settings)
    ctx.call_on_close(ctx.obj.close)
    ctx.call_on_close(lambda: i18n.reset_language(spoken))


@app.command(
    help=N_(
        "Create the register database, or migrate it to this version's schema, "
        "with the keys that seal its audit trail."
    )
)
def init(
    ctx: typer.Context,
    app_role: Annotated[
        str | None,
        typer.Option(
            help=N_(
                "PostgreSQL only: let this role (the one the web app connects as) use the "
                "register but only add to the audit trail"
            )
        ),
    ] = None,
) -> None:
    st = state(ctx)
    db = st.database(require_schema=False)
    before, head = db.schema_state()
    db.upgrade()
    what = (
        i18n.gettext("created")
        if before is None
        else (
            i18n.gettext("already current")
            if before == head
            else i18n.gettext("migrated from %(schema)s", schema=before)
        )
    )
    out = console()
    said = i18n.gettext(
        "register database %(url)s: %(what)s (schema %(schema)s)",
        url=db.display_url(),
        what=what,
        schema=head,
    )
    out.print(escape(said))
    sealed = i18n.gettext(
        "audit trail sealed with key %(key)s from %(folder)s; checkpoints in %(checkpoints)s. "
        "Back that folder up apart from the database.",
        key=db.keys().key_id,
        folder=db.trail.key_dir,
        checkpoints=db.trail.checkpoint_dir,
    )
    out.print(escape(sealed))
    if app_role is not None:
        db.grant_application_role(app_role)
        granted = i18n.gettext(
            "role %(role)s may use the register and only add to the trail", role=app_role
        )
        out.print(escape(granted))


demo_app = typer.Typer(
    help=N_("The demo national risk profile (illustrative, not official)."), no_args_is_help=True
)


@demo_app.command(
    "load",
    help=N_("Load the demo profile into the register (again: only what changed is written)."),
)
def demo_load(ctx: typer.Context) -> None:
    transfer.load_demo_command(state(ctx))


app.add_typer(demo_app, name="demo")
app.command(
    "profile",
    help=N_("Print the national risk register: every theme under its tier, with its scenarios."),
)(profile.profile)
app.command(
    "glossary", help=N_("Print the glossary of official Dutch terms and their English (Markdown).")
)(glossary.glossary)
app.command(
    "assess",
    rich_help_panel=N_("Assessment"),
    help=N_("Assess a round: scores, aggregated impact, likelihood, ranks and uncertainty."),
)(assess.assess)
app.command(
    "score",
    rich_help_panel=N_("Assessment"),
    help=N_("Record a score (created or replaced) and show the rule the method applied."),
)(assess.score)
app.command(
    "criteria",
    rich_help_panel=N_("Assessment"),
    help=N_("Show an edition's interests and criteria with their class thresholds."),
)(assess.criteria)
app.command(
    "diagram",
    rich_help_panel=N_("Assessment"),
    help=N_("Draw the national risk diagram of a round."),
)(diagram.diagram)
app.command(
    "sensitivity",
    rich_help_panel=N_("Assessment"),
    help=N_("Which criterion weights move the risk ranking most (global Sobol indices)."),
)(sensitivity.sensitivity)
app.add_typer(tiers.app, name="tiers", rich_help_panel=N_("Strategy"))
app.add_typer(levels.app, name="levels", rich_help_panel=N_("Strategy"))
app.add_typer(notify.app, name="notify", rich_help_panel=N_("Strategy"))
app.command(
    "gaps",
    rich_help_panel=N_("Strategy"),
    help=N_(
        "Capability analysis: per scenario and phase of the security chain, the"
        " level needed and the level that exists, the gap, and which measures "
        "close it."
    ),
)(capabilities.gaps)
app.add_typer(cascade.app, name="cascade", rich_help_panel=N_("Strategy"))
app.add_typer(signals.app, name="signals", rich_help_panel=N_("Strategy"))
app.command(
    "portfolio",
    rich_help_panel=N_("Strategy"),
    help=N_("Which risks get which measures, which get none, and each ministry's effort."),
)(portfolio.portfolio)
app.add_typer(report.app, name="report", rich_help_panel=N_("Strategy"))
app.add_typer(sessions.app, name="session", rich_help_panel=N_("Assessment"))
app.command(
    "export",
    help=N_(
        "Export the whole register: JSON/YAML (lossless), XLSX or CSV per "
        "entity; GraphML holds the vital processes and their dependencies only."
    ),
)(transfer.export)
app.command("import", help=N_("Import records; any problem in any row and nothing is written."))(
    transfer.import_
)
app.add_typer(audit.app, name="audit")
app.command("backup", help=backup.BACKUP_HELP)(backup.backup)
app.command("restore", help=backup.RESTORE_HELP)(backup.restore)
app.add_typer(bench.app, name="bench")
app.command("serve", help=N_("Serve the web app and the REST API (/api/v1)."))(serve.serve)
app.command("worker", help=worker.WORKER_HELP)(worker.worker)
app.add_typer(worker.app, name="schedulers")
app.add_typer(users.user_app, name="user")
app.command(
    "declassify",
    rich_help_panel=N_("Register"),
    help=N_("Lower a record's classification, with the reason kept in the audit trail."),
)(declassify.declassify_command)
add_entity_commands(
    app,
    {
        "rounds": rounds.add_commands,
        "actors": actors.add_commands,
        "sources": sources.add_commands,
    },
)


def run() -> None:
    app(prog_name="weerbaar")
