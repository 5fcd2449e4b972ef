"""A cascade's timeline: one bar per affected process from the hour it goes down to
the hour it is back, in order of failure, coloured by sector; the disrupted starts
are hatched. Display-free: a :class:`~matplotlib.figure.Figure` with its own Agg
canvas, never pyplot. Its words are in the current language (:mod:`weerbaar.i18n`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from weerbaar.formats.atomic import write_atomic
from weerbaar.i18n import format_number, gettext, pgettext

__all__ = ["FORMATS", "Bar", "cascade_figure", "write_cascade"]

FORMATS = ("png", "svg", "pdf")
DPI = 150
MAX_BARS = 200  # beyond this the labels are unreadable; the rest are summed in the title
LABEL_CHARS = 42
# ColorBrewer Set2 then Dark2: qualitative, distinguishable in print and for most
# colour vision; sectors beyond sixteen repeat.
SECTOR_COLOURS = (
    "#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#e5c494", "#b3b3b3",
    "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    sector: str
    start: float  # hour it goes down
    end: float  # hour it is back
    disrupted: bool  # knocked out from outside rather than by the cascade


def sector_colours(sectors: Sequence[str]) -> dict[str, str]:
    """One colour per sector, by sorted name, so a sector keeps its colour across plots
    of the same register."""
    return {s: SECTOR_COLOURS[i % len(SECTOR_COLOURS)] for i, s in enumerate(sorted(set(sectors)))}


def cascade_figure(bars: Sequence[Bar], *, title: str) -> Figure:
    shown = list(bars[:MAX_BARS])
    height = 1.3 + 0.26 * max(len(shown), 1)
    fig = Figure(figsize=(10.0, height), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.33, 0.9 / height, 0.47, 1 - 1.5 / height))
    colours = sector_colours([b.sector for b in shown])
    for row, bar in enumerate(shown):
        ax.barh(
            row,
            bar.end - bar.start,
            left=bar.start,
            height=0.7,
            color=colours[bar.sector],
            edgecolor="#222222",
            linewidth=0.5,
            hatch="///" if bar.disrupted else None,
        )
    ax.set_yticks(range(len(shown)))
    ax.set_yticklabels([_short(b.label) for b in shown], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel(gettext("hours from the start of the disruption"), fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    more = (
        " "
        + gettext(
            "(first %(shown)s of %(total)s)",
            shown=format_number(MAX_BARS),
            total=format_number(len(bars)),
        )
        if len(bars) > MAX_BARS
        else ""
    )
    fig.text(0.02, 1 - 0.3 / height, title + more, fontsize=10, fontweight="bold", va="top")
    handles = [
        Patch(facecolor=c, edgecolor="#222222", label=_sector(s)) for s, c in colours.items()
    ]
    handles.append(
        Patch(facecolor="white", edgecolor="#222222", hatch="///", label=gettext("disrupted"))
    )
    # Outside the axes, so that it never hides a bar.
    ax.legend(handles=handles, fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if not shown:
        ax.text(0.5, 0.5, gettext("nothing affected"), transform=ax.transAxes, ha="center")
    return fig


def _sector(sector: str) -> str:
    """A sector by its name in the current language (the register's sector values are
    translated as values; a sector of its own keeps its name)."""
    return pgettext("value", sector)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def write_cascade(path: str | Path, bars: Sequence[Bar], *, title: str) -> Path:
    """Write the timeline as PNG, SVG or PDF (by the suffix), atomically."""
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"{target.name}: write .png, .svg or .pdf, not {target.suffix!r}")
    buffer = io.BytesIO()
    cascade_figure(bars, title=title).savefig(buffer, format=fmt)
    return write_atomic(target, buffer.getvalue())
