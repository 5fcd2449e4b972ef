"""``weerbaar gaps``: the capability analysis — what scenarios need in each link of
the security chain, what exists, the gaps and the measures closing them."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from weerbaar.cli.render import OutputFormat, console
from weerbaar.cli.state import state
from weerbaar.services.capability_analysis import capability_analysis, gap_rows


def gaps(
    ctx: typer.Context,
    scenario: Annotated[str | None, typer.Option("--scenario", help="one scenario")] = None,
    theme: Annotated[str | None, typer.Option("--theme", help="the scenarios of a theme")] = None,
    only_gaps: Annotated[
        bool, typer.Option("--only-gaps", help="leave out needs that are met")
    ] = False,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TABLE,
) -> None:
    """Capability analysis: per scenario and phase of the security chain, the level
    needed and the level that exists, the gap, and which measures close it."""
    analysis = capability_analysis(state(ctx).database(), scenario=scenario, theme=theme)
    rows = [r for r in gap_rows(analysis, analysis.gaps) if r["shortfall"] or not only_gaps]
    if fmt is not OutputFormat.TABLE:
        from weerbaar.web.presenters import as_json  # pydantic models: only here
        from weerbaar.web.presenters.capabilities import gaps_answer

        typer.echo(as_json(gaps_answer(analysis, only_gaps=only_gaps)))
        return
    out = console()
    if not rows:
        out.print("No capability needs recorded for these scenarios (capability-need add …).")
        return
    total = analysis.summary()
    out.print(
        f"{total.needs} needs, {total.short} fall short, {total.open} with no measure "
        f"closing them; largest gap {total.largest} step(s) on the scale "
        f"{' < '.join(analysis.scale.keys)}"
    )
    table = Table()
    for column in ("scenario", "phase", "capability", "needed", "current", "gap", "closed by"):
        table.add_column(column, overflow="fold")
    for row in rows:
        gap = str(row["shortfall"]) if row["shortfall"] else "—"
        if row["open"]:
            gap = f"[bold red]{gap} open[/]"
        table.add_row(
            row["scenario"],
            row["phase"],
            escape(row["capability_name"]),
            row["needed"],
            row["current"],
            gap,
            ", ".join(row["closed_by"]) or ("—" if row["shortfall"] else ""),
        )
    out.print(table)
