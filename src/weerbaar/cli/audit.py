"""``weerbaar audit verify`` and ``weerbaar audit log``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from weerbaar.cli.render import console
from weerbaar.cli.state import state
from weerbaar.errors import AuditChainError
from weerbaar.services.audit import recent_entries, verify_trail

app = typer.Typer(help="The hash-chained audit trail of every change.", no_args_is_help=True)


@app.command()
def verify(ctx: typer.Context) -> None:
    """Check every entry of the trail; name the first one that was altered or removed."""
    checked, broken = verify_trail(state(ctx).database())
    if broken is not None:
        raise AuditChainError(broken.seq, broken.reason)
    console().print(f"audit trail intact: {checked} entries checked")


@app.command("log")
def log(
    ctx: typer.Context,
    entity: Annotated[str | None, typer.Option(help="only this entity, e.g. scenarios")] = None,
    key: Annotated[str | None, typer.Option(help="only this record key")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="at most this many")] = 50,
) -> None:
    """Show the newest audit entries."""
    entries = recent_entries(state(ctx).database(), entity=entity, key=key, limit=limit)
    table = Table(title=f"audit trail (newest {len(entries)})", title_justify="left")
    for column in ("seq", "at", "actor", "action", "entity", "key"):
        table.add_column(column)
    for e in entries:
        table.add_row(str(e.seq), e.at[:19].replace("T", " "), e.actor, e.action, e.entity, e.key)
    console().print(table)
