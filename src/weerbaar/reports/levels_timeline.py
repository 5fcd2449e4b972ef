"""Threat levels over time, one row per scope, with the measures that were in force.

Each scope gets two stacked axes on a shared time axis: its level as a step line over
a band coloured by level, and beneath it the measures as bars, so that no bar hides the
line. Display-free like :mod:`weerbaar.reports.diagram_static`: a
:class:`~matplotlib.figure.Figure` with its own Agg canvas, never pyplot. Its words
and the names of scales and levels are in the current language (:mod:`weerbaar.i18n`).
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, date2num
from matplotlib.figure import Figure

from weerbaar.domain.alerting import ActiveSpan, LevelScale, ScopeTimeline, Step
from weerbaar.formats.atomic import write_atomic
from weerbaar.i18n import N_, gettext, localised
from weerbaar.reports._dates import SpokenDateFormatter
from weerbaar.reports._svg import svg_text

__all__ = ["FORMATS", "timeline_figure", "timeline_png", "write_timeline"]

FORMATS = ("png", "svg", "pdf")
DPI = 150
# Agg refuses images of 2**16 pixels or more a side; a very tall figure (hundreds of
# scopes) is written at a lower resolution rather than not at all.
AGG_LIMIT = 65_000

INK = "#222222"
GREY = "#5a5a5a"
# ColorBrewer YlOrRd: one hue ramp whose lightness falls steadily, so the order of the
# levels reads the same with any colour vision and in greyscale. The lightest end is
# left out: it would vanish against the white background.
PALETTE = "YlOrRd"
PALETTE_RANGE = (0.18, 0.92)
NO_DATA = N_("No threat levels recorded")
MAX_MEASURE_ROWS = 8
TITLE_CHARS = 30
ORGANISATION_CHARS = 20

# Layout in inches: fixed margins keep the rows aligned however many there are, and
# leave room on the left for measure labels of up to about 60 characters.
WIDTH = 11.0
LEFT = 3.1
RIGHT = 0.35
TOP = 0.7
BOTTOM = 0.2
ROW_TITLE = 0.32
LEVEL_PER_STEP = 0.24
LEVEL_MIN = 0.95
GAP = 0.06
MEASURE_ROW = 0.19
NO_MEASURES = 0.26
TICKS = 0.36
ROW_GAP = 0.22


def timeline_figure(
    timelines: Sequence[ScopeTimeline], *, until: dt.datetime, since: dt.datetime | None = None
) -> Figure:
    """The level timelines as a figure with an Agg canvas, ready to save.

    Each scope's level line is the :class:`~matplotlib.lines.Line2D` with gid
    ``level-<scope key>``; each bar of a measure a rectangle with gid
    ``measure-<scope key>-<measure key>``. Times without a zone are read as UTC.
    """
    end = _aware(until)
    start = None if since is None else _aware(since)
    if start is not None and start >= end:
        raise ValueError(
            f"the plot must start before it ends: since {start.isoformat()} "
            f"is not before until {end.isoformat()}"
        )
    if not timelines:
        return _placeholder()
    rows = [_row(t, start, end) for t in timelines]
    left = start if start is not None else _first(rows, end)
    height = TOP + BOTTOM + sum(r.height for r in rows)
    fig = Figure(figsize=(WIDTH, height), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    fig.text(
        LEFT / WIDTH,
        1 - 0.25 / height,
        gettext("Threat levels and measures in force"),
        fontsize=12,
        fontweight="bold",
        color=INK,
        va="top",
    )
    period = f"{left:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} {end:%Z}".rstrip()
    fig.text(LEFT / WIDTH, 1 - 0.48 / height, period, fontsize=8, color=GREY, va="top")
    # A small margin before the first change keeps its marker clear of the frame; none
    # is added to a start the caller gave.
    margin = dt.timedelta(0) if start is not None else (end - left) * 0.02
    limits = (_x(left - margin), _x(end))
    top = height - TOP
    shared: Axes | None = None
    for row in rows:
        level_ax, measure_ax = _axes(fig, row, top, height, shared)
        if shared is None:
            shared = level_ax
            # Fixed before anything is drawn: with autoscaling on, every artist added
            # would rescale all the shared rows, quadratic in the number of scopes.
            shared.set_xlim(*limits)
        _draw_levels(level_ax, row, end)
        _draw_measures(measure_ax, row, end)
        _time_axis(measure_ax, end)
        top -= row.height
    return fig


def write_timeline(
    timelines: Sequence[ScopeTimeline],
    path: Path,
    *,
    until: dt.datetime,
    since: dt.datetime | None = None,
) -> Path:
    """Draw the timelines and write them atomically as .png, .svg or .pdf, chosen by
    the suffix of ``path``. Returns the path written."""
    target = Path(path)
    suffix = target.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        allowed = ", ".join(f".{f}" for f in FORMATS)
        raise ValueError(
            f"{target.name}: cannot write a {target.suffix or 'suffix-less'!r} file; "
            f"use one of {allowed}"
        )
    fig = timeline_figure(timelines, until=until, since=since)
    # The whole image is rendered in memory before the file is touched: a failed or
    # killed render leaves any existing file as it was.
    return write_atomic(target, _render(fig, suffix))


def timeline_png(
    timelines: Sequence[ScopeTimeline], *, until: dt.datetime, since: dt.datetime | None = None
) -> bytes:
    """The timelines as PNG bytes, for the web page."""
    return _render(timeline_figure(timelines, until=until, since=since), "png")


# -- the rows ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _MeasureRow:
    key: str
    label: str
    spans: tuple[ActiveSpan, ...]


@dataclass(frozen=True, slots=True)
class _Row:
    timeline: ScopeTimeline
    steps: tuple[Step, ...]  # up to ``until``, oldest first
    measures: tuple[_MeasureRow, ...]  # at most MAX_MEASURE_ROWS, first started first
    hidden: int  # measures left out for want of room

    @property
    def level_height(self) -> float:
        return max(LEVEL_MIN, LEVEL_PER_STEP * len(self.timeline.scale.levels))

    @property
    def measure_height(self) -> float:
        lines = len(self.measures) + (1 if self.hidden else 0)
        return MEASURE_ROW * lines if lines else NO_MEASURES

    @property
    def height(self) -> float:
        return ROW_TITLE + self.level_height + GAP + self.measure_height + TICKS + ROW_GAP


def _row(timeline: ScopeTimeline, start: dt.datetime | None, end: dt.datetime) -> _Row:
    steps = tuple(
        sorted(
            (Step(_aware(s.at), s.level, s.picture) for s in timeline.steps if _aware(s.at) <= end),
            key=lambda s: s.at,
        )
    )
    grouped: dict[str, list[ActiveSpan]] = {}
    for span in timeline.spans:
        begin = _aware(span.since)
        finish = None if span.until is None else _aware(span.until)
        # A span wholly outside the window would be an empty row.
        if begin > end or (start is not None and finish is not None and finish < start):
            continue
        grouped.setdefault(span.measure, []).append(
            ActiveSpan(span.measure, span.title, span.organisation, begin, finish)
        )
    rows = [
        _MeasureRow(key, _measure_label(spans[-1]), tuple(sorted(spans, key=lambda s: s.since)))
        for key, spans in grouped.items()
    ]
    # When there is no room for all, keep those in force at the end, then those that
    # ended last: what the reader most likely wants to see.
    rows.sort(key=lambda r: (not _active_at_end(r, end), -_last_end(r, end).timestamp()))
    kept = sorted(rows[:MAX_MEASURE_ROWS], key=lambda r: (r.spans[0].since, r.key))
    return _Row(timeline, steps, tuple(kept), max(0, len(rows) - MAX_MEASURE_ROWS))


def _active_at_end(row: _MeasureRow, end: dt.datetime) -> bool:
    return any(s.until is None or s.until >= end for s in row.spans)


def _last_end(row: _MeasureRow, end: dt.datetime) -> dt.datetime:
    return max(min(s.until or end, end) for s in row.spans)


def _scope_label(timeline: ScopeTimeline) -> str:
    """Where the level holds: its scale's key and the sector, region or site, else
    the whole country."""
    scope = timeline.scope
    where = [p for p in (scope.sector, scope.region, scope.site) if p]
    return (
        f"{scope.scale}: {' / '.join(where)}"
        if where
        else gettext("%(scale)s: national", scale=scope.scale)
    )


def _measure_label(span: ActiveSpan) -> str:
    title = textwrap.shorten(span.title, TITLE_CHARS, placeholder="…")
    organisation = textwrap.shorten(span.organisation, ORGANISATION_CHARS, placeholder="…")
    return f"{title} ({organisation})"


def _first(rows: Sequence[_Row], end: dt.datetime) -> dt.datetime:
    starts = [r.steps[0].at for r in rows if r.steps]
    starts += [s.since for r in rows for m in r.measures for s in m.spans]
    first = min(starts, default=end)
    # A single moment (or nothing) still needs a span of time to draw on.
    return first if first < end else end - dt.timedelta(days=30)


# -- drawing ----------------------------------------------------------------------------


def _axes(
    fig: Figure, row: _Row, top: float, height: float, shared: Axes | None
) -> tuple[Axes, Axes]:
    width = (WIDTH - LEFT - RIGHT) / WIDTH
    level_top = top - ROW_TITLE
    level_ax = fig.add_axes(
        (LEFT / WIDTH, (level_top - row.level_height) / height, width, row.level_height / height),
        sharex=shared,
    )
    measure_top = level_top - row.level_height - GAP
    measure_ax = fig.add_axes(
        (
            LEFT / WIDTH,
            (measure_top - row.measure_height) / height,
            width,
            row.measure_height / height,
        ),
        sharex=level_ax,
    )
    timeline = row.timeline
    level_ax.set_title(
        f"{_scope_label(timeline)} — {localised(timeline.scale)}",
        loc="left",
        fontsize=9.5,
        fontweight="bold",
        color=INK,
        pad=4,
    )
    level_ax.tick_params(axis="x", labelbottom=False, length=0)
    return level_ax, measure_ax


def _draw_levels(ax: Axes, row: _Row, end: dt.datetime) -> None:
    scale = row.timeline.scale
    low, high = scale.range
    floor = low - 0.5
    ax.set_ylim(floor, high + 0.5)
    ax.set_yticks(
        [lv.rank for lv in scale.levels], [f"{lv.rank} {localised(lv)}" for lv in scale.levels]
    )
    ax.tick_params(axis="y", labelsize=8, length=0, pad=9)
    ax.grid(True, axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for spine in ax.spines.values():
        spine.set_color("#9a9a9a")
    # A swatch per level just outside the frame, beside its tick label: the key to the
    # colours, which a swatch inside would hide under the first level's band.
    for lv in scale.levels:
        ax.axhspan(
            lv.rank - 0.5,
            lv.rank + 0.5,
            xmin=-0.011,
            xmax=-0.003,
            color=_colour(scale, lv.rank),
            lw=0,
            clip_on=False,
        )
    if not row.steps:
        ax.text(
            0.5,
            0.5,
            gettext("no level recorded"),
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=8,
            color=GREY,
            style="italic",
        )
        return
    times = [_x(s.at) for s in row.steps] + [_x(end)]
    levels = [s.level for s in row.steps] + [row.steps[-1].level]
    for i, step in enumerate(row.steps):
        ax.fill_between(
            [times[i], times[i + 1]],
            floor,
            step.level,
            color=_colour(scale, step.level),
            alpha=0.75,
            linewidth=0,
        )
    ax.step(
        times,
        levels,
        where="post",
        color=INK,
        linewidth=1.6,
        gid=f"level-{row.timeline.scope.key}",
        label=gettext("level"),
    )
    ax.scatter(
        [_x(s.at) for s in row.steps],
        [s.level for s in row.steps],
        c=[_colour(scale, s.level) for s in row.steps],
        s=22,
        edgecolors=INK,
        linewidths=0.8,
        zorder=3,
    )
    for before, after in zip(row.steps, row.steps[1:], strict=False):
        if after.level > before.level:
            _annotate_raise(ax, scale, after)


def _annotate_raise(ax: Axes, scale: LevelScale, step: Step) -> None:
    name = _level_name(scale, step.level)
    at_top = step.level >= scale.range[1]
    ax.annotate(
        f"↑ {name}",
        xy=(_x(step.at), step.level),
        xytext=(4, -4 if at_top else 4),
        textcoords="offset points",
        ha="left",
        va="top" if at_top else "bottom",
        fontsize=7,
        color=INK,
        bbox={"boxstyle": "round,pad=0.15", "facecolor": (1, 1, 1, 0.75), "edgecolor": "none"},
    )


def _draw_measures(ax: Axes, row: _Row, end: dt.datetime) -> None:
    for spine in ax.spines.values():
        spine.set_color("#9a9a9a")
    ax.tick_params(axis="y", labelsize=7, length=0)
    lines = len(row.measures) + (1 if row.hidden else 0)
    if not lines:
        ax.set_yticks([])
        ax.text(
            0.5,
            0.5,
            gettext("no measures in force"),
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=7.5,
            color=GREY,
            style="italic",
        )
        return
    # First started on top, as in a Gantt chart.
    ax.set_ylim(lines - 0.5, -0.5)
    scope = row.timeline.scope.key
    for y, measure in enumerate(row.measures):
        for span in measure.spans:
            finish = min(span.until or end, end)
            ax.barh(
                y,
                _x(finish) - _x(span.since),
                left=_x(span.since),
                height=0.62,
                color="#4a6fa5",
                edgecolor="none",
                gid=f"measure-{scope}-{measure.key}",
            )
    labels = [m.label for m in row.measures]
    if row.hidden:
        labels.append(gettext("+%(count)s more", count=row.hidden))
    ax.set_yticks(range(lines), labels)


def _time_axis(ax: Axes, end: dt.datetime) -> None:
    # The x data are plain day numbers (see _x), so the axis is told it shows dates.
    locator = AutoDateLocator(tz=end.tzinfo, minticks=4, maxticks=10)  # type: ignore[no-untyped-call]
    formatter = SpokenDateFormatter(locator, tz=end.tzinfo)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)
    ax.tick_params(axis="x", labelsize=7.5, labelbottom=True)
    ax.xaxis.get_offset_text().set_fontsize(7.5)


def _placeholder() -> Figure:
    fig = Figure(figsize=(WIDTH * 0.6, 2.0), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    fig.text(0.5, 0.5, gettext(NO_DATA), ha="center", va="center", fontsize=12, color=GREY)
    return fig


def _colour(scale: LevelScale, rank: int) -> tuple[float, float, float, float]:
    """A level's colour by its place in its own scale, so the top of a four-level and
    of a five-level scale look equally alarming."""
    low, high = scale.range
    place = 0.5 if high == low else min(1.0, max(0.0, (rank - low) / (high - low)))
    first, last = PALETTE_RANGE
    colour: tuple[float, float, float, float] = mpl.colormaps[PALETTE](
        first + place * (last - first)
    )
    return colour


def _level_name(scale: LevelScale, rank: int) -> str:
    for lv in scale.levels:
        if lv.rank == rank:
            return f"{rank} {localised(lv)}"
    return str(rank)


def _x(moment: dt.datetime) -> float:
    """A time as matplotlib's day number. Plotting plain numbers rather than datetimes
    keeps the data typed, and what a test reads back is what was drawn."""
    return float(date2num(moment))  # type: ignore[no-untyped-call]


def _aware(moment: dt.datetime) -> dt.datetime:
    # As picture_time does for pictures without a time: a bare time is UTC. Mixing bare
    # and zoned times would otherwise fail on the first comparison.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


# -- output -----------------------------------------------------------------------------


def _render(fig: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "png":
        # Stay inside Agg's pixel limit rather than fail on a very tall figure.
        dpi = min(float(DPI), AGG_LIMIT / max(fig.get_size_inches()))
        fig.savefig(buffer, format="png", dpi=dpi)
    elif fmt == "svg":
        with svg_text():
            # No creation date, so the same timelines give the same file.
            fig.savefig(buffer, format="svg", metadata={"Date": None})
    else:
        fig.savefig(buffer, format="pdf", metadata={"CreationDate": None})
    return buffer.getvalue()
