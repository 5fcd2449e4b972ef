"""The risk diagram as a PNG or SVG image, with matplotlib.

Thread-safe and display-free: a :class:`~matplotlib.figure.Figure` with its own Agg
canvas, never pyplot and its global figure registry, never a change to ``rcParams``.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Polygon
from matplotlib.transforms import offset_copy

from weerbaar.formats.atomic import write_atomic
from weerbaar.i18n import gettext
from weerbaar.reports._bands import band_polygons, band_scores
from weerbaar.reports._labels import Box, Label, Segment, place_labels
from weerbaar.reports._scene import Marker, Placed, Scene, build_scene
from weerbaar.reports.diagram import RiskDiagram

__all__ = ["build_figure", "label_gid", "render_static"]

INK = "#222222"
GREY = "#5a5a5a"
ARROW = "#333333"
MARKER_AREA = 62.0  # points², for a circle; other shapes are scaled to look alike
RING_AREA = MARKER_AREA * 3.2
LABEL_SIZE = 7.5
FOOT_SIZE = 7.5
MPL_MARKERS: dict[Marker, tuple[str, float]] = {
    "circle": ("o", 1.0),
    "square": ("s", 0.8),
    "diamond": ("D", 0.62),
    "triangle-up": ("^", 1.15),
    "triangle-down": ("v", 1.15),
}
# A light box behind each label keeps it legible over bands, bars and lines. (Not a
# path-effect halo: that turns the text into paths, and SVG would lose its words.)
LABEL_PAD = 0.15  # of the font size
LABEL_BOX = {
    "boxstyle": f"round,pad={LABEL_PAD}",
    "facecolor": (1.0, 1.0, 1.0, 0.72),
    "edgecolor": "none",
}


def _safe(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", key)


def label_gid(key: str) -> str:
    """The id of a scenario's label (in the figure, and as an element id in SVG); its
    leader line, if any, has ``leader-``, its comparison arrow ``shift-`` before it."""
    return f"label-{_safe(key)}"


def build_figure(
    diagram: RiskDiagram, *, size: tuple[float, float] = (12.0, 9.0), dpi: int = 150
) -> Figure:
    """The diagram as a matplotlib figure with an Agg canvas, laid out and ready to save.

    Each scenario label is a text with gid :func:`label_gid` ``(key)``.
    """
    scene = build_scene(diagram)
    width, height = size
    fig = Figure(figsize=size, dpi=dpi, facecolor="white")
    canvas = FigureCanvasAgg(fig)
    notes = _wrap(scene.footnotes, width)
    bottom = 0.22 + 0.135 * len(notes) + 1.0
    left, legend_width, top = 1.5, min(3.1, 0.27 * width), 1.0
    ax = fig.add_axes(
        (
            left / width,
            bottom / height,
            (width - left - legend_width - 0.25) / width,
            (height - top - bottom) / height,
        )
    )
    ax.set_autoscale_on(False)
    _frame(fig, ax, scene)
    _bands(ax, diagram)
    _points(ax, scene)
    _shifts(ax, scene)
    _titles(fig, scene, left / width)
    if notes:
        fig.text(0.25 / width, 0.2 / height, "\n".join(notes), fontsize=FOOT_SIZE, color=GREY)
    renderer: RendererAgg = canvas.get_renderer()  # type: ignore[no-untyped-call]
    _legends(fig, scene, renderer, (width - legend_width) / width, 1 - top / height)
    _labels(ax, scene, renderer)
    return fig


def render_static(
    diagram: RiskDiagram,
    path: str | Path,
    *,
    fmt: Literal["png", "svg"] = "png",
    dpi: int = 150,
    size: tuple[float, float] = (12.0, 9.0),
) -> Path:
    """Draw the diagram and write it atomically as PNG or SVG. Returns the path."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"format must be 'png' or 'svg', not {fmt!r}")
    fig = build_figure(diagram, size=size, dpi=dpi)
    buffer = io.BytesIO()
    # No creation date, so the same diagram gives the same file.
    metadata = {"Date": None} if fmt == "svg" else {}
    fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    return write_atomic(path, buffer.getvalue())


def _wrap(notes: Sequence[str], width: float) -> list[str]:
    chars = int((width - 0.5) * 72 / (FOOT_SIZE * 0.5))
    return [line for note in notes for line in textwrap.wrap(note, chars)]


def _frame(fig: Figure, ax: Axes, scene: Scene) -> None:
    """Limits, class gridlines, letters, labels, the ×10 / ×3 steps and axis titles."""
    for axis, which in ((scene.x_axis, "x"), (scene.y_axis, "y")):
        centres = [k + 1.0 for k in range(len(axis.letters))]
        if which == "x":
            ax.set_xlim(axis.low, axis.high)
            ax.set_xticks(centres, list(axis.labels), fontsize=8.5)
            ax.set_xticks(axis.boundaries, minor=True)
            place = ax.get_xaxis_transform()
        else:
            ax.set_ylim(axis.low, axis.high)
            ax.set_yticks(centres, list(axis.labels), fontsize=8.5)
            ax.set_yticks(axis.boundaries, minor=True)
            place = ax.get_yaxis_transform()
        # Letters (bold) sit between the axis and the labels; steps between letters.
        offset = offset_copy(
            place,
            fig=fig,
            x=0 if which == "x" else -5,
            y=-5 if which == "x" else 0,
            units="points",
        )
        for position, letter in zip(centres, axis.letters, strict=True):
            xy = (position, 0.0) if which == "x" else (0.0, position)
            ax.text(
                *xy,
                letter,
                transform=offset,
                fontsize=11,
                fontweight="bold",
                color=INK,
                ha="center" if which == "x" else "right",
                va="top" if which == "x" else "center",
            )
        for boundary in axis.boundaries if axis.step else ():
            xy = (boundary, 0.0) if which == "x" else (0.0, boundary)
            ax.text(
                *xy,
                axis.step,
                transform=offset,
                fontsize=7.5,
                color=GREY,
                style="italic",
                ha="center" if which == "x" else "right",
                va="top" if which == "x" else "center",
            )
    ax.tick_params(which="both", length=0)
    ax.tick_params(axis="x", which="major", pad=20)
    ax.tick_params(axis="y", which="major", pad=22)
    ax.grid(True, which="minor", color="#7a7a7a", linewidth=0.6, alpha=0.55)
    ax.grid(False, which="major")
    for spine in ax.spines.values():
        spine.set_color("#7a7a7a")
    ax.set_xlabel(scene.x_axis.title, fontsize=10.5, fontweight="bold", labelpad=4)
    ax.set_ylabel(scene.y_axis.title, fontsize=10.5, fontweight="bold", labelpad=4)
    ax.annotate(
        scene.x_axis.note,
        xy=(0.5, 0.0),
        xycoords=ax.xaxis.label,
        xytext=(0, -2),
        textcoords="offset points",
        ha="center",
        va="top",
        fontsize=8.5,
        color=GREY,
    )
    ax.annotate(
        scene.y_axis.note,
        xy=(0.0, 0.5),
        xycoords=ax.yaxis.label,
        xytext=(-2, 0),
        textcoords="offset points",
        ha="right",
        va="center",
        fontsize=8.5,
        color=GREY,
        rotation=90,
    )


def _bands(ax: Axes, diagram: RiskDiagram) -> None:
    bands, x_axis, y_axis = diagram.bands, diagram.likelihood_axis, diagram.impact_axis
    if bands.smooth and len(bands.colours) > 1:
        _, _, scores = band_scores(bands, x_axis, y_axis, 48)
        colours = LinearSegmentedColormap.from_list("bands", list(bands.colours))
        ax.imshow(
            scores,
            cmap=colours,
            vmin=0.0,
            vmax=1.0,
            origin="lower",
            aspect="auto",
            extent=(x_axis.low, x_axis.high, y_axis.low, y_axis.high),
            interpolation="bilinear",
            zorder=0,
        )
        return
    for colour, polygon in band_polygons(bands, x_axis, y_axis):
        ax.add_patch(Polygon(polygon, closed=True, facecolor=colour, edgecolor="none", zorder=0))


def _area(marker: Marker, area: float = MARKER_AREA) -> tuple[str, float]:
    symbol, factor = MPL_MARKERS[marker]
    return symbol, area * factor


def _points(ax: Axes, scene: Scene) -> None:
    for p in scene.placed:
        symbol, area = _area(p.style.marker)
        colour = p.style.colour
        if p.kind == "previous":
            ax.scatter(
                [p.x],
                [p.y],
                s=area,
                marker=symbol,
                color=colour,
                alpha=0.3,
                edgecolors="none",
                zorder=2,
            )
            continue
        _ranges(ax, p)
        ax.scatter(
            [p.x],
            [p.y],
            s=area,
            marker=symbol,
            color=colour,
            edgecolors=INK,
            linewidths=0.6,
            zorder=4,
        )
        if p.kind == "new":
            ax.scatter(
                [p.x],
                [p.y],
                s=RING_AREA,
                marker="o",
                facecolors="none",
                edgecolors="black",
                linewidths=1.3,
                zorder=4,
            )


def _ranges(ax: Axes, p: Placed) -> None:
    style = {
        "fmt": "none",
        "ecolor": p.style.colour,
        "elinewidth": 0.8,
        "capsize": 1.8,
        "capthick": 0.8,
        "alpha": 0.45,
        "zorder": 3,
    }
    if p.point.impact_range:
        low, high = p.point.impact_range
        ax.errorbar([p.x], [p.y], yerr=[[max(p.y - low, 0.0)], [max(high - p.y, 0.0)]], **style)  # type: ignore[arg-type]
    if p.point.likelihood_range:
        low, high = p.point.likelihood_range
        ax.errorbar([p.x], [p.y], xerr=[[max(p.x - low, 0.0)], [max(high - p.x, 0.0)]], **style)  # type: ignore[arg-type]


def _shifts(ax: Axes, scene: Scene) -> None:
    for shift in scene.shifts:
        reach = (RING_AREA if shift.to_new else MARKER_AREA) ** 0.5 / 2 + 1
        ax.scatter(
            [shift.start[0]],
            [shift.start[1]],
            s=10,
            marker="o",
            facecolors="white",
            edgecolors=ARROW,
            linewidths=0.7,
            zorder=3,
        )
        ax.add_patch(
            FancyArrowPatch(
                shift.start,
                shift.end,
                arrowstyle="-|>",
                mutation_scale=9,
                linewidth=0.9,
                color=ARROW,
                shrinkA=1.5,
                shrinkB=reach,
                zorder=3,
                gid=f"shift-{_safe(shift.key)}",
            )
        )


def _titles(fig: Figure, scene: Scene, left: float) -> None:
    width, height = fig.get_size_inches()
    fig.text(
        left, 1 - 0.28 / height, scene.title, fontsize=15, fontweight="bold", color=INK, va="top"
    )
    if scene.subtitle:
        fig.text(left, 1 - 0.62 / height, scene.subtitle, fontsize=10.5, color=GREY, va="top")
    if scene.illustrative:
        fig.text(
            1 - 0.3 / width,
            1 - 0.3 / height,
            gettext("ILLUSTRATIVE DATA"),
            fontsize=10,
            fontweight="bold",
            color="#b2182b",
            ha="right",
            va="top",
            bbox={"boxstyle": "round,pad=0.35", "facecolor": "#fde0dd", "edgecolor": "#b2182b"},
        )


def _legends(fig: Figure, scene: Scene, renderer: RendererAgg, x: float, top: float) -> None:
    handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=_area(s.marker)[0],
            markersize=7.5,
            markerfacecolor=s.colour,
            markeredgecolor=INK,
            markeredgewidth=0.6,
        )
        for s in scene.styles
    ]
    names = ["\n".join(textwrap.wrap(s.theme, 32)) or s.theme for s in scene.styles]
    themes = fig.legend(
        handles,
        names,
        loc="upper left",
        bbox_to_anchor=(x, top),
        title=gettext("Theme"),
        fontsize=8.5,
        title_fontsize=9.5,
        frameon=False,
        alignment="left",
        labelspacing=0.55,
        borderaxespad=0.0,
    )
    marks: list[tuple[Line2D, str]] = []
    if scene.has("new"):
        marks.append(
            (
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="o",
                    markersize=10.5,
                    markerfacecolor="none",
                    markeredgecolor="black",
                    markeredgewidth=1.3,
                ),
                gettext("New in this round (ring)"),
            )
        )
    if scene.has("previous"):
        marks.append(
            (
                Line2D(
                    [], [], linestyle="none", marker="o", markersize=7.5, color="#777777", alpha=0.3
                ),
                gettext("Only in %(round)s (faded)", round=scene.previous_name),
            )
        )
    if scene.shifts:
        marks.append(
            (
                Line2D(
                    [], [], color=ARROW, linewidth=0.9, marker=">", markersize=5, markevery=[-1]
                ),
                gettext("Shift since %(round)s", round=scene.previous_name),
            )
        )
    if scene.has_ranges:
        marks.append(
            (
                Line2D([], [], color="#555555", linewidth=1.0, marker="|", markersize=6, alpha=0.7),
                scene.range_label,
            )
        )
    if not marks:
        return
    below = themes.get_window_extent(renderer).transformed(fig.transFigure.inverted()).y0
    fig.legend(
        [h for h, _ in marks],
        ["\n".join(textwrap.wrap(t, 32)) for _, t in marks],
        loc="upper left",
        bbox_to_anchor=(x, below - 0.03),
        title=gettext("Marks"),
        fontsize=8.5,
        title_fontsize=9.5,
        frameon=False,
        alignment="left",
        borderaxespad=0.0,
    )


def _labels(ax: Axes, scene: Scene, renderer: RendererAgg) -> None:
    """Place the scenario labels clear of each other and of every marker."""
    scale = ax.figure.dpi / 72
    to_pixels = ax.transData.transform
    texts, labels, markers = [], [], []
    for p in scene.placed:
        faded = p.kind == "previous"
        text = ax.text(
            p.x,
            p.y,
            p.text,
            fontsize=LABEL_SIZE - (0.5 if faded else 0),
            color="#777777" if faded else INK,
            style="italic" if faded else "normal",
            ha="center",
            va="center",
            zorder=6,
            gid=label_gid(p.point.key),
            bbox=LABEL_BOX,
        )
        extent = text.get_window_extent(renderer)
        anchor = tuple(float(v) for v in to_pixels((p.x, p.y)))
        area = RING_AREA if p.kind == "new" else _area(p.style.marker)[1]
        radius = area**0.5 / 2 * scale
        texts.append(text)
        pad = 2 * LABEL_PAD * LABEL_SIZE * scale  # the box around the text, both sides
        labels.append(
            Label((anchor[0], anchor[1]), extent.width + pad, extent.height + pad, radius + 1)
        )
        markers.append(
            Box(anchor[0] - radius, anchor[1] - radius, anchor[0] + radius, anchor[1] + radius)
        )
    frame = ax.get_window_extent(renderer)
    bars: list[Segment] = []
    for p in scene.placed:
        for low, high, vertical in (
            (*(p.point.impact_range or (p.y, p.y)), True),
            (*(p.point.likelihood_range or (p.x, p.x)), False),
        ):
            if p.kind != "previous" and low != high:
                a = (p.x, low) if vertical else (low, p.y)
                b = (p.x, high) if vertical else (high, p.y)
                bars.append((_pixels(ax, a), _pixels(ax, b)))
    bars += [(_pixels(ax, s.start), _pixels(ax, s.end)) for s in scene.shifts]
    placements = place_labels(
        labels,
        bounds=Box(frame.x0 + 2, frame.y0 + 2, frame.x1 - 2, frame.y1 - 2),
        markers=markers,
        bars=bars,
    )
    back = ax.transData.inverted().transform
    for p, text, placement in zip(scene.placed, texts, placements, strict=True):
        text.set_position(tuple(back(placement.centre)))
        if placement.leader is not None:
            (x0, y0), (x1, y1) = (back(placement.leader[0]), back(placement.leader[1]))
            ax.add_line(
                Line2D(
                    [x0, x1],
                    [y0, y1],
                    color="#6a6a6a",
                    linewidth=0.6,
                    zorder=5,
                    gid=f"leader-{_safe(p.point.key)}",
                )
            )


def _pixels(ax: Axes, point: tuple[float, float]) -> tuple[float, float]:
    x, y = ax.transData.transform(point)
    return float(x), float(y)
