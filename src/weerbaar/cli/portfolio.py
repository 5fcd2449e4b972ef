"""``weerbaar portfolio``: the integral view of risks against effort across ministries."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from weerbaar.cli.render import OutputFormat, console
from weerbaar.cli.state import state
from weerbaar.domain.portfolio import Coverage, CoverageState
from weerbaar.errors import FileFormatError
from weerbaar.formats.tables import write_csv
from weerbaar.services.portfolio import PortfolioView, portfolio_view

_STATE_STYLE = {
    CoverageState.NONE: "[bold red]none[/]",
    CoverageState.STALLED: "[yellow]stalled[/]",
    CoverageState.COVERED: "[green]covered[/]",
}

ThemeOption = Annotated[str | None, typer.Option("--theme", help="only this theme (key)")]
MinistryOption = Annotated[
    str | None,
    typer.Option("--ministry", help="only this ministry's measures (key or abbreviation)"),
]
TodayOption = Annotated[
    dt.datetime | None,
    typer.Option(
        "--today",
        formats=["%Y-%m-%d"],
        help="judge dates as of this day (default: today)",
        show_default=False,
    ),
]


def portfolio(
    ctx: typer.Context,
    theme: ThemeOption = None,
    ministry: MinistryOption = None,
    today: TodayOption = None,
    fmt: Annotated[
        OutputFormat,
        typer.Option("--format", help="table; json: every section; csv: the matrix"),
    ] = OutputFormat.TABLE,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="also draw the matrix as a heatmap: .html or .png"),
    ] = None,
) -> None:
    """Which risks get which measures, which get none, and each ministry's effort."""
    if plot is not None and plot.suffix.lower() not in (".html", ".png"):
        raise FileFormatError(f"{plot}: write a .html or .png file")
    view = portfolio_view(
        state(ctx).database(),
        theme=theme,
        ministry=ministry,
        today=today.date() if today else None,
    )
    if fmt is OutputFormat.JSON:
        from weerbaar.web.presenters import as_json  # pydantic models: only here
        from weerbaar.web.presenters.portfolio import portfolio_answer

        typer.echo(as_json(portfolio_answer(view)))
    elif fmt is OutputFormat.CSV:
        _csv(view)
    else:
        _tables(view)
    if plot is not None:
        # Plotly and matplotlib load only when a plot is asked for.
        from weerbaar.reports.portfolio_plot import portfolio_matrix, render_portfolio

        render_portfolio(portfolio_matrix(view.portfolio, label=view.label, title=view.title), plot)
        console(stderr=fmt is not OutputFormat.TABLE).print(f"wrote {escape(str(plot))}")


def _csv(view: PortfolioView) -> None:
    from weerbaar.web.presenters.portfolio import matrix_table  # pydantic models: only here

    write_csv(sys.stdout, matrix_table(view))


def _money(amount: float) -> str:
    return f"€ {amount:,.0f}" if amount else "—"


def _tables(view: PortfolioView) -> None:
    out = console()
    p = view.portfolio
    ranked = f"ranked by risk in round {view.round.key}" if view.round else "no round: unranked"
    scope = ", ".join(
        x
        for x in (
            f"theme {view.theme}" if view.theme else "",
            f"ministry {view.label(view.ministry)}" if view.ministry else "",
        )
        if x
    )
    out.print(
        f"Risks against effort as of {view.today}; {ranked}"
        + (f"; only {escape(scope)}" if scope else "")
    )
    if not p.coverage and not p.by_ministry:
        out.print("No scenarios or measures in view.")
        return
    matrix = Table(title="Scenarios × ministries: covering measures", title_justify="left")
    matrix.add_column("#", justify="right")
    matrix.add_column("scenario", overflow="fold", min_width=24)
    matrix.add_column("state", no_wrap=True)
    for key in p.ministries:
        matrix.add_column(escape(view.label(key)), justify="right")
    for row, counts in zip(p.coverage, p.matrix, strict=True):
        matrix.add_row(
            str(row.rank or ""),
            f"{escape(row.scenario.title)} [dim]{row.scenario.key}[/]",
            _STATE_STYLE[row.state],
            *(str(n) if n else "[dim]·[/]" for n in counts),
        )
    out.print(matrix)
    for title, rows, label in (
        ("Effort per ministry", p.by_ministry, view.label),
        ("Effort per theme", p.by_theme, view.theme_name),
    ):
        table = Table(title=title, title_justify="left")
        for column in ("", "measures", "stalled", "budget", "without budget"):
            table.add_column(column, justify="left" if not column else "right")
        for e in rows:
            table.add_row(
                f"{escape(label(e.key))} [dim]{e.key}[/]",
                str(e.measures),
                f"[yellow]{e.stalled}[/]" if e.stalled else "0",
                _money(e.budget),
                str(e.unbudgeted),
            )
        out.print(table)
    _list(out, "Risks with no measures", [_scenario(c) for c in p.uncovered])
    _list(
        out,
        "Risks with only stalled measures",
        [f"{_scenario(c)}: {', '.join(m.key for m in c.measures)}" for c in p.only_stalled],
    )
    _list(
        out,
        "Measures linked to no risk",
        [f"{escape(m.title)} [dim]{m.key}, {escape(view.label(m.owner))}[/]" for m in p.unlinked],
    )


def _scenario(row: Coverage) -> str:
    return f"{escape(row.scenario.title)} [dim]{row.scenario.key}[/]"


def _list(out: Console, title: str, lines: list[str]) -> None:
    out.print(f"[bold]{title}[/] ({len(lines)})")
    if not lines:
        out.print("  [dim]none[/]")
    for line in lines:
        out.print(f"  • {line}")
