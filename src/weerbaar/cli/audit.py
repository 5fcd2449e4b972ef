"""``weerbaar audit verify`` and ``weerbaar audit log``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from weerbaar.cli.render import console
from weerbaar.cli.state import state
from weerbaar.errors import AuditChainError
from weerbaar.i18n import N_, _, ngettext, vocabulary
from weerbaar.services.audit import trail_page
from weerbaar.services.trail_check import sign_head, verify_trail

app = typer.Typer(help=N_("The hash-chained audit trail of every change."), no_args_is_help=True)


@app.command(
    help=N_(
        "Check the trail: its key, every entry's seal, the signed checkpoints "
        "kept outside the database, and that the register is what the trail "
        "says it is."
    )
)
def verify(ctx: typer.Context) -> None:
    db = state(ctx).database()
    report = verify_trail(db)
    out = console()
    for note in report.notes:
        out.print(f"[yellow]![/yellow] {escape(note)}")
    for finding in report.findings:
        out.print(f"[red]✗[/red] {escape(str(finding))}")
    if not report.intact:
        first = report.findings[0]
        found = ngettext(
            "%(num)d finding; the first: %(first)s",
            "%(num)d findings; the first: %(first)s",
            len(report.findings),
            first=first,
        )
        raise AuditChainError(None, found)
    intact = _(
        "audit trail intact: %(entries)s entries sealed under key %(key)s, %(checkpoints)s "
        "signed checkpoint(s) agree, %(records)s records and accounts match the trail",
        entries=report.entries,
        key=report.key_id,
        checkpoints=report.checkpoints,
        records=report.records,
    )
    out.print(escape(intact))
    unsigned = report.unsigned()
    if unsigned:
        newest = ngettext(
            "the newest entry is not yet in a checkpoint; `weerbaar audit checkpoint` signs "
            "the head now",
            "the newest %(num)d entries are not yet in a checkpoint; `weerbaar audit "
            "checkpoint` signs the head now",
            unsigned,
        )
        out.print(f"[yellow]![/yellow] {escape(newest)}")


@app.command(
    help=N_("Sign the trail's head now and keep it with the checkpoints, outside the database.")
)
def checkpoint(ctx: typer.Context) -> None:
    seq, where = sign_head(state(ctx).database())
    console().print(
        escape(_("checkpoint of entry %(seq)s written to %(where)s", seq=seq, where=where))
    )


@app.command("log", help=N_("Show the newest audit entries."))
def log(
    ctx: typer.Context,
    entity: Annotated[str | None, typer.Option(help=N_("only this entity, e.g. scenarios"))] = None,
    key: Annotated[str | None, typer.Option(help=N_("only this record key"))] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help=N_("at most this many"))] = 50,
    offset: Annotated[int, typer.Option(min=0, help=N_("skip this many newer entries"))] = 0,
    request: Annotated[
        str | None,
        typer.Option(help=N_("only the entries of this request (its id, as log lines name it)")),
    ] = None,
) -> None:
    page = trail_page(
        state(ctx).database(),
        entity=entity,
        key=key,
        limit=limit,
        offset=offset,
        request_id=request,
    )
    title = ngettext(
        "audit trail (%(num)d entry)", "audit trail (%(num)d entries)", len(page.entries)
    )
    table = Table(title=escape(title), title_justify="left")
    for column in (_("seq"), _("at"), _("actor"), _("action"), _("entity"), _("key")):
        table.add_column(column)
    table.add_column(_("request"), no_wrap=True)
    for e in page.entries:
        table.add_row(
            str(e.seq),
            e.at[:19].replace("T", " "),
            escape(e.actor),
            escape(vocabulary.action_label(e.action)),
            escape(vocabulary.entity_title(e.entity)),
            escape(e.key),
            escape(e.request_id or ""),
        )
    console().print(table)
    if page.more:
        console().print(
            escape(_("older entries follow: --offset %(offset)s", offset=offset + limit))
        )
