"""Signal volume per theme over time: one small panel per theme on a shared time
axis, events as bars, reports as a line, a growing stretch shaded from the day it
began. Display-free: a :class:`~matplotlib.figure.Figure` with its own Agg canvas.
Its words and dates are in the current language (:mod:`weerbaar.i18n`).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, date2num
from matplotlib.figure import Figure
from numpy.typing import NDArray

from weerbaar.formats.atomic import write_atomic
from weerbaar.i18n import format_date, gettext
from weerbaar.reports._dates import SpokenDateFormatter

__all__ = ["FORMATS", "Panel", "trends_figure", "write_trends"]

FORMATS = ("png", "svg", "pdf")
DPI = 130
EVENTS = "#4c72b0"
REPORTS = "#222222"
GROWTH = "#f4a261"


@dataclass(frozen=True, slots=True)
class Panel:
    title: str
    days: Sequence[dt.date]  # the first day of every period
    volume: NDArray[np.float64]
    weight: NDArray[np.float64]
    growing_since: dt.date | None = None


def trends_figure(panels: Sequence[Panel], *, period_days: int = 1) -> Figure:
    rows = max(len(panels), 1)
    fig = Figure(figsize=(10.0, 0.6 + 1.15 * rows), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    if not panels:
        fig.text(0.5, 0.5, gettext("No signals in this period"), ha="center", va="center")
        return fig
    axes = fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]
    for ax, panel in zip(axes, panels, strict=True):
        x = [_x(day) for day in panel.days]
        # One outline for all periods rather than a bar each: a period-long trend
        # stays a handful of SVG elements, cheap to typeset in a PDF.
        if x:
            edges = [*(start - period_days / 2 for start in x), x[-1] + period_days / 2]
            ax.stairs(panel.volume, edges, fill=True, color=EVENTS, label=gettext("events"))
        ax.plot(x, panel.weight, color=REPORTS, linewidth=0.8, label=gettext("reports"))
        if panel.growing_since is not None:
            ax.axvspan(_x(panel.growing_since), x[-1] + period_days, color=GROWTH, alpha=0.25)
            since = format_date(panel.growing_since, "medium")
            ax.text(
                _x(panel.growing_since), ax.get_ylim()[1] * 0.92,
                " " + gettext("growing since %(day)s", day=since),
                fontsize=7, va="top", color="#7a3b00",
            )  # fmt: skip
        ax.set_title(panel.title, fontsize=8, loc="left", pad=2)
        ax.tick_params(labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]
    axes[-1].xaxis.set_major_locator(locator)
    axes[-1].xaxis.set_major_formatter(SpokenDateFormatter(locator))
    axes[0].legend(fontsize=7, loc="upper left", frameon=False, ncols=2)
    fig.tight_layout(h_pad=0.4)
    return fig


def _x(day: dt.date) -> float:
    return float(date2num(day))  # type: ignore[no-untyped-call]


def write_trends(path: str | Path, panels: Sequence[Panel], *, period_days: int = 1) -> Path:
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"{target.name}: write .png, .svg or .pdf, not {target.suffix!r}")
    buffer = io.BytesIO()
    trends_figure(panels, period_days=period_days).savefig(buffer, format=fmt)
    return write_atomic(target, buffer.getvalue())
