"""``weerbaar actor import FILE``: threat actors from a MISP galaxy cluster file or a
STIX 2.1 bundle (ATT&CK groups), beside the actor's register commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from weerbaar import i18n
from weerbaar.cli.progress import progress_bar
from weerbaar.cli.render import OutputFormat, console
from weerbaar.cli.state import state
from weerbaar.domain.access import Marking
from weerbaar.i18n import N_, _


def import_command(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            help=N_("a MISP galaxy cluster file (threat-actor.json) or a STIX 2.1 bundle"),
            metavar="FILE",
        ),
    ],
    classification: Annotated[
        str, typer.Option("--classification", help=N_("marking of new actors"))
    ] = "public",
    owner: Annotated[
        str | None, typer.Option("--owner", help=N_("owning organisation of new actors"))
    ] = None,
    share: Annotated[
        list[str] | None,
        typer.Option("--share", help=N_("organisation to share new actors with (repeatable)")),
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TABLE,
) -> None:
    # stix2 and the service load when a file comes in, not when a command starts.
    from weerbaar.formats.common import read_bytes
    from weerbaar.services.actor_import import import_actors

    st = state(ctx)
    st.database()
    marking = Marking(classification, owner, tuple(share or ()))
    data = read_bytes(path)
    with progress_bar(_("importing actors from %(file)s", file=path.name)) as progress:
        report = import_actors(st.context(), data, path.name, marking=marking, progress=progress)
    if fmt is not OutputFormat.TABLE:
        from weerbaar.web.presenters import as_json  # pydantic models: only here
        from weerbaar.web.presenters.actor_import import actor_import_answer

        typer.echo(as_json(actor_import_answer(report)))
        return
    number = i18n.format_number
    out = console()
    out.print(
        escape(
            _(
                "%(file)s: %(read)s actors read in %(seconds)s s: %(created)s new, "
                "%(updated)s updated, %(unchanged)s unchanged, %(rejected)s rejected, "
                "%(skipped)s skipped (deprecated or revoked)",
                file=path.name,
                read=number(report.read),
                seconds=number(report.seconds, 1),
                created=number(len(report.created)),
                updated=number(len(report.updated)),
                unchanged=number(len(report.unchanged)),
                rejected=number(len(report.rejected)),
                skipped=number(len(report.skipped)),
            )
        )
    )
    if report.rejected:
        table = Table(title=_("rejected"))
        table.add_column(_("place"))
        table.add_column(_("reason"))
        for rejected in report.rejected:
            table.add_row(escape(rejected.origin), escape(i18n.translated(rejected.reason)))
        out.print(table)


def add_commands(app: typer.Typer) -> None:
    """The import command, added to ``weerbaar actor``."""
    app.command(
        "import",
        help=N_(
            "Import threat actors from a MISP galaxy cluster file or a STIX 2.1 bundle "
            "(ATT&CK groups): new ones are added, known ones (by UUID, name or synonym) "
            "completed; bad entries are listed with their place and the rest goes in."
        ),
    )(import_command)
