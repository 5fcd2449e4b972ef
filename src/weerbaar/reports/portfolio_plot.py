"""The matrix of risks against effort as a heatmap: scenarios (rows, highest risk on
top) against ministries (columns), each cell the number of measures of that ministry
covering that scenario.

Interactive HTML with plotly (self-contained, hover text naming the measures), or a
matplotlib figure (:func:`portfolio_figure`) saved as PNG or SVG: plotly's own image
export needs kaleido and a browser, which weerbaar does not depend on. Its words,
scenario and measure titles are in the language current when the matrix is made
(:func:`portfolio_matrix`) or drawn.
"""

from __future__ import annotations

import html
import io
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import plotly.graph_objects as go  # type: ignore[import-untyped]  # plotly ships no types
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from weerbaar.domain.portfolio import Portfolio
from weerbaar.formats.atomic import write_atomic
from weerbaar.i18n import N_, gettext, language, localised, ngettext

__all__ = [
    "PortfolioMatrix",
    "build_heatmap",
    "portfolio_figure",
    "portfolio_matrix",
    "render_portfolio",
]

FONT = "Arial, Helvetica, sans-serif"
COLOURS = "Blues"
EMPTY = "#f3f3f3"
ROW_LABEL = 48  # characters of a scenario title shown beside its row


TITLE = N_("Risks against effort")


@dataclass(frozen=True, slots=True)
class PortfolioMatrix:
    title: str
    rows: tuple[str, ...]  # scenario labels, highest risk first
    columns: tuple[str, ...]  # ministry labels
    counts: tuple[tuple[int, ...], ...]  # [row][column]
    measures: tuple[tuple[tuple[str, ...], ...], ...]  # titles, [row][column]


def portfolio_matrix(
    portfolio: Portfolio, *, label: Callable[[str], str], title: str | None = None
) -> PortfolioMatrix:
    """The plot's input, in the current language: ``label`` names a ministry column by
    its key; without ``title``, the plot's own."""
    rows = []
    for c in portfolio.coverage:
        rank = f"{c.rank}. " if c.rank is not None else ""
        name = textwrap.shorten(localised(c.scenario, "title"), ROW_LABEL, placeholder="…")
        rows.append(f"{rank}{name}")
    return PortfolioMatrix(
        title=gettext(TITLE) if title is None else title,
        rows=tuple(rows),
        columns=tuple(label(m) for m in portfolio.ministries),
        counts=portfolio.matrix,
        measures=tuple(
            tuple(
                tuple(localised(m, "title") for m in portfolio.cell(c.scenario.key, ministry))
                for ministry in portfolio.ministries
            )
            for c in portfolio.coverage
        ),
    )


def _hover(matrix: PortfolioMatrix, row: int, column: int) -> str:
    titles = matrix.measures[row][column]
    count = ngettext("%(num)d measure", "%(num)d measures", len(titles))
    head = (
        f"<b>{html.escape(matrix.rows[row])}</b><br>{html.escape(matrix.columns[column])}: "
        f"{html.escape(count)}"
    )
    return "<br>".join([head, *(f"• {html.escape(t)}" for t in titles)])


def build_heatmap(matrix: PortfolioMatrix) -> go.Figure:
    """The matrix as a plotly heatmap; an empty cell (no measure) is left blank."""
    z = [[count or None for count in row] for row in matrix.counts]
    text = [[str(count) if count else "" for count in row] for row in matrix.counts]
    hover = [
        [_hover(matrix, r, c) for c in range(len(matrix.columns))] for r in range(len(matrix.rows))
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(matrix.columns),
            y=list(matrix.rows),
            text=text,
            texttemplate="%{text}",
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            colorscale=COLOURS,
            zmin=0,
            xgap=1,
            ygap=1,
            colorbar={"title": {"text": html.escape(gettext("measures"))}},
        )
    )
    fig.update_layout(
        title={"text": html.escape(matrix.title)},
        font={"family": FONT, "size": 12},
        plot_bgcolor=EMPTY,
        width=max(700, 260 + 70 * len(matrix.columns)),
        height=max(400, 160 + 24 * len(matrix.rows)),
        xaxis={"side": "top", "tickangle": -45},
        yaxis={"autorange": "reversed"},  # highest risk on top
        margin={"l": 20, "r": 20, "t": 140, "b": 20},
    )
    return fig


def _render_html(matrix: PortfolioMatrix) -> bytes:
    page: str = build_heatmap(matrix).to_html(
        include_plotlyjs=True,  # offline: no script fetched from a network
        include_mathjax=False,
        full_html=True,
        config={"displaylogo": False},
        div_id="portfolio-matrix",
    )
    title = f"<title>{html.escape(matrix.title)}</title>"
    page = page.replace(
        "<head>", f'<head>\n    {title}\n    <meta name="generator" content="weerbaar">', 1
    ).replace("<html>", f'<html lang="{language()}">', 1)
    return page.encode("utf-8")


def portfolio_figure(matrix: PortfolioMatrix, *, dpi: int = 150) -> Figure:
    """The heatmap as a matplotlib figure with an Agg canvas, laid out and ready to
    save (as PNG, or SVG for a report)."""
    # A Figure with its own canvas, never pyplot: no global state, safe in threads.
    rows, columns = len(matrix.rows), len(matrix.columns)
    fig = Figure(
        figsize=(max(6.0, 3.5 + 0.55 * columns), max(3.0, 1.6 + 0.3 * rows)),
        dpi=dpi,
        facecolor="white",
    )
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    if not rows or not columns:
        ax.set_axis_off()
        ax.text(0.5, 0.5, gettext("no scenarios or no measures in view"), ha="center", va="center")
    else:
        # One vector quad per cell (pcolormesh), not a raster image (imshow): the
        # heatmap stays sharp in an SVG or a PDF at any zoom.
        image = ax.pcolormesh(
            np.arange(columns + 1) - 0.5,
            np.arange(rows + 1) - 0.5,
            np.ma.masked_equal(np.array(matrix.counts, dtype=float), 0.0),
            cmap=COLOURS,
            vmin=0,
        )
        ax.set_xlim(-0.5, columns - 0.5)
        ax.set_ylim(rows - 0.5, -0.5)  # the highest risk on top
        ax.set_facecolor(EMPTY)
        top = max((max(row) for row in matrix.counts), default=0) or 1
        for r, row in enumerate(matrix.counts):
            for c, count in enumerate(row):
                if count:
                    colour = "white" if count > top / 2 else "black"
                    ax.text(c, r, str(count), ha="center", va="center", color=colour, fontsize=8)
        ax.set_xticks(range(columns), matrix.columns, rotation=45, ha="left", fontsize=8)
        ax.xaxis.tick_top()
        ax.set_yticks(range(rows), matrix.rows, fontsize=8)
        bar = fig.colorbar(image, ax=ax, label=gettext("measures"), shrink=0.6)
        if bar.solids is not None:
            bar.solids.set_rasterized(False)  # matplotlib rasterizes a bar of many colours
    ax.set_title(matrix.title, loc="left", fontsize=11)
    fig.tight_layout()
    return fig


def _render_png(matrix: PortfolioMatrix, dpi: int = 150) -> bytes:
    buffer = io.BytesIO()
    portfolio_figure(matrix, dpi=dpi).savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


_RENDERERS: Mapping[str, Callable[[PortfolioMatrix], bytes]] = {
    "html": _render_html,
    "png": _render_png,
}


def render_portfolio(matrix: PortfolioMatrix, path: str | Path) -> Path:
    """Write the heatmap atomically: .html (interactive) or .png. Returns the path."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in _RENDERERS:
        raise ValueError(f"{path}: write a .html or .png file")
    return write_atomic(path, _RENDERERS[suffix](matrix))
