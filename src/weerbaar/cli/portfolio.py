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

from weerbaar import i18n
from weerbaar.cli.render import OutputFormat, console
from weerbaar.cli.state import state
from weerbaar.domain.portfolio import Coverage, CoverageState
from weerbaar.errors import FileFormatError
from weerbaar.formats.tables import write_csv
from weerbaar.i18n import N_, _
from weerbaar.services.portfolio import PortfolioView, portfolio_view

_STATE_STYLE = {
    CoverageState.NONE: ("bold red", N_("none")),
    CoverageState.STALLED: ("yellow", N_("stalled")),
    CoverageState.COVERED: ("green", N_("covered")),
}


def _state(state: CoverageState) -> str:
    style, word = _STATE_STYLE[state]
    return f"[{style}]{escape(_(word))}[/]"


ThemeOption = Annotated[str | None, typer.Option("--theme", help=N_("only this theme (key)"))]
MinistryOption = Annotated[
    str | None,
    typer.Option("--ministry", help=N_("only this ministry's measures (key or abbreviation)")),
]
TodayOption = Annotated[
    dt.datetime | None,
    typer.Option(
        "--today",
        formats=["%Y-%m-%d"],
        help=N_("judge dates as of this day (default: today)"),
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
        typer.Option("--format", help=N_("table; json: every section; csv: the matrix")),
    ] = OutputFormat.TABLE,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help=N_("also draw the matrix as a heatmap: .html or .png")),
    ] = None,
) -> None:
    if plot is not None and plot.suffix.lower() not in (".html", ".png"):
        raise FileFormatError(_("%(path)s: write a .html or .png file", path=plot))
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
        console(stderr=fmt is not OutputFormat.TABLE).print(escape(_("wrote %(path)s", path=plot)))


def _csv(view: PortfolioView) -> None:
    from weerbaar.web.presenters.portfolio import matrix_table  # pydantic models: only here

    write_csv(sys.stdout, matrix_table(view))


def _money(amount: float) -> str:
    return f"€ {i18n.format_number(amount, 0)}" if amount else "—"


def _theme_name(view: PortfolioView, key: str) -> str:
    found = view.themes.get(key)
    return i18n.localised(found) if found else key


def _tables(view: PortfolioView) -> None:
    out = console()
    p = view.portfolio
    ranked = (
        _("ranked by risk in round %(round)s", round=view.round.key)
        if view.round
        else _("no round: unranked")
    )
    scope = ", ".join(
        x
        for x in (
            _("theme %(name)s", name=view.theme) if view.theme else "",
            _("ministry %(name)s", name=view.label(view.ministry)) if view.ministry else "",
        )
        if x
    )
    heading = _(
        "Risks against effort as of %(day)s; %(ranked)s",
        day=i18n.format_date(view.today),
        ranked=ranked,
    )
    if scope:
        heading += "; " + _("only %(scope)s", scope=scope)
    out.print(escape(heading))
    if not p.coverage and not p.by_ministry:
        out.print(_("No scenarios or measures in view."))
        return
    matrix = Table(
        title=escape(_("Scenarios × ministries: covering measures")), title_justify="left"
    )
    matrix.add_column("#", justify="right")
    matrix.add_column(_("scenario"), overflow="fold", min_width=24)
    matrix.add_column(_("state"), no_wrap=True)
    for key in p.ministries:
        matrix.add_column(escape(view.label(key)), justify="right")
    for row, counts in zip(p.coverage, p.matrix, strict=True):
        matrix.add_row(
            str(row.rank or ""),
            f"{escape(row.scenario.title)} [dim]{row.scenario.key}[/]",
            _state(row.state),
            *(str(n) if n else "[dim]·[/]" for n in counts),
        )
    out.print(matrix)
    for title, rows, label in (
        (_("Effort per ministry"), p.by_ministry, view.label),
        (_("Effort per theme"), p.by_theme, lambda key: _theme_name(view, key)),
    ):
        table = Table(title=escape(title), title_justify="left")
        for column in ("", _("measures"), _("stalled"), _("budget"), _("without budget")):
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
    _list(out, _("Risks with no measures"), [_scenario(c) for c in p.uncovered])
    _list(
        out,
        _("Risks with only stalled measures"),
        [f"{_scenario(c)}: {', '.join(m.key for m in c.measures)}" for c in p.only_stalled],
    )
    _list(
        out,
        _("Measures linked to no risk"),
        [f"{escape(m.title)} [dim]{m.key}, {escape(view.label(m.owner))}[/]" for m in p.unlinked],
    )


def _scenario(row: Coverage) -> str:
    return f"{escape(row.scenario.title)} [dim]{row.scenario.key}[/]"


def _list(out: Console, title: str, lines: list[str]) -> None:
    out.print(f"[bold]{escape(title)}[/] ({len(lines)})")
    if not lines:
        out.print("  [dim]" + escape(_("none")) + "[/]")
    for line in lines:
        out.print(f"  • {line}")
