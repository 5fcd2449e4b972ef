"""``weerbaar audit verify`` and ``weerbaar audit log``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from weerbaar.cli.render import console
from weerbaar.cli.state import state
from weerbaar.errors import AuditChainError
from weerbaar.services.audit import trail_page
from weerbaar.services.trail_check import sign_head, verify_trail

app = typer.Typer(help="The hash-chained audit trail of every change.", no_args_is_help=True)


@app.command()
def verify(ctx: typer.Context) -> None:
    """Check the trail: its key, every entry's seal, the signed checkpoints kept outside
    the database, and that the register is what the trail says it is."""
    db = state(ctx).database()
    report = verify_trail(db)
    out = console()
    for note in report.notes:
        out.print(f"[yellow]![/yellow] {escape(note)}")
    for finding in report.findings:
        out.print(f"[red]✗[/red] {escape(str(finding))}")
    if not report.intact:
        first = report.findings[0]
        raise AuditChainError(None, f"{len(report.findings)} finding(s); the first: {first}")
    out.print(
        f"audit trail intact: {report.entries} entries sealed under key "
        f"{report.key_id}, {report.checkpoints} signed checkpoint(s) agree, "
        f"{report.records} records and accounts match the trail"
    )
    unsigned = report.unsigned()
    if unsigned:
        out.print(
            f"[yellow]![/yellow] the newest {unsigned} entries are not yet in a checkpoint; "
            "`weerbaar audit checkpoint` signs the head now"
        )


@app.command()
def checkpoint(ctx: typer.Context) -> None:
    """Sign the trail's head now and keep it with the checkpoints, outside the database."""
    seq, where = sign_head(state(ctx).database())
    console().print(f"checkpoint of entry {seq} written to {escape(where)}")


@app.command("log")
def log(
    ctx: typer.Context,
    entity: Annotated[str | None, typer.Option(help="only this entity, e.g. scenarios")] = None,
    key: Annotated[str | None, typer.Option(help="only this record key")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="at most this many")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="skip this many newer entries")] = 0,
) -> None:
    """Show the newest audit entries."""
    page = trail_page(state(ctx).database(), entity=entity, key=key, limit=limit, offset=offset)
    table = Table(title=f"audit trail ({len(page.entries)} entries)", title_justify="left")
    for column in ("seq", "at", "actor", "action", "entity", "key"):
        table.add_column(column)
    for e in page.entries:
        table.add_row(
            str(e.seq), e.at[:19].replace("T", " "), e.actor, e.action, e.entity, escape(e.key)
        )
    console().print(table)
    if page.more:
        console().print(f"older entries follow: --offset {offset + limit}")
