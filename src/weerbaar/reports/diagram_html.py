"""The risk diagram as one interactive HTML file, with plotly.

The file is self-contained: plotly.js is embedded (``include_plotlyjs=True``), no
script, style or font is fetched from a network, so it opens on a machine without
internet. (The embedded library still mentions its default map-data address,
``topojsonURL``; it is used only by geographic maps, which this diagram has none of.)
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import plotly.graph_objects as go  # type: ignore[import-untyped]  # plotly ships no types

from weerbaar.formats.atomic import write_atomic
from weerbaar.i18n import gettext
from weerbaar.reports._bands import band_polygons, band_scores
from weerbaar.reports._labels import Box, Label, Segment, place_labels
from weerbaar.reports._scene import Placed, Scene, build_scene
from weerbaar.reports.diagram import RiskDiagram

__all__ = ["build_plotly_figure", "render_html"]

INK = "#222222"
GREY = "#555555"
ARROW = "#333333"
FONT = "Arial, Helvetica, sans-serif"  # local fonts only
MARKER_SIZE = 11.0  # px, diameter
RING_SIZE = 21.0
LABEL_SIZE = 10.0  # px
CHAR_WIDTH = 0.55  # average glyph width, in em, for estimating label widths
MARGIN = {"l": 150, "r": 340, "t": 105}
CONFIG = {
    "displaylogo": False,
    "responsive": False,
    "toImageButtonOptions": {"format": "png", "filename": "risk-diagram", "scale": 2},
}


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def build_plotly_figure(diagram: RiskDiagram, *, size: tuple[int, int] = (1400, 960)) -> go.Figure:
    """The diagram as a plotly figure of a fixed size in pixels."""
    scene = build_scene(diagram)
    width, height = size
    notes = [
        line for note in scene.footnotes for line in textwrap.wrap(note, int((width - 40) / 6.2))
    ]
    margin = {**MARGIN, "b": 125 + 15 * len(notes)}
    plot = Box(
        float(margin["l"]),
        float(margin["b"]),
        float(width - margin["r"]),
        float(height - margin["t"]),
    )
    fig = go.Figure()
    # Annotations and shapes are gathered and set once: plotly validates the whole
    # list on every add_annotation, which is quadratic.
    annotations: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    _axes(fig, scene, width, height, margin, annotations)
    _bands(fig, diagram, shapes)
    _points(fig, scene)
    _marks(fig, scene, annotations)
    _labels(scene, plot, annotations)
    if notes:
        annotations.append(
            {
                "text": "<br>".join(_e(n) for n in notes),
                "xref": "paper",
                "yref": "paper",
                "x": -(margin["l"] - 20) / (plot.x1 - plot.x0),
                "y": 0,
                "xanchor": "left",
                "yanchor": "top",
                "yshift": -92,
                "align": "left",
                "showarrow": False,
                "font": {"size": 11, "color": GREY},
            }
        )
    if scene.illustrative:
        annotations.append(
            {
                "text": f"<b>{_e(gettext('ILLUSTRATIVE DATA'))}</b>",
                "xref": "paper",
                "yref": "paper",
                "x": 1 + (margin["r"] - 20) / (plot.x1 - plot.x0),
                "y": 1,
                "yshift": 52,
                "xanchor": "right",
                "yanchor": "top",
                "showarrow": False,
                "font": {"size": 13, "color": "#b2182b"},
                "bgcolor": "#fde0dd",
                "bordercolor": "#b2182b",
                "borderpad": 4,
            }
        )
    fig.update_layout(annotations=annotations, shapes=shapes)
    return fig


def render_html(
    diagram: RiskDiagram, path: str | Path, *, size: tuple[int, int] = (1400, 960)
) -> Path:
    """Write the diagram as one self-contained HTML file, atomically. Returns the path."""
    fig = build_plotly_figure(diagram, size=size)
    page = fig.to_html(
        include_plotlyjs=True,
        include_mathjax=False,
        full_html=True,
        config=CONFIG,
        div_id="risk-diagram",
    )
    title = f"<title>{_e(diagram.title)}</title>"
    page = page.replace(
        "<head>", f'<head>\n    {title}\n    <meta name="generator" content="weerbaar">', 1
    )
    return write_atomic(path, page.encode("utf-8"))


def _axes(
    fig: go.Figure,
    scene: Scene,
    width: int,
    height: int,
    margin: dict[str, int],
    annotations: list[dict[str, Any]],
) -> None:
    def axis(which: str) -> dict[str, Any]:
        a = scene.x_axis if which == "x" else scene.y_axis
        centres = [k + 1.0 for k in range(len(a.letters))]
        if which == "x":
            text = [f"<b>{_e(k)}</b><br>{_e(v)}" for k, v in zip(a.letters, a.labels, strict=True)]
        else:
            text = [f"{_e(v)}  <b>{_e(k)}</b>" for k, v in zip(a.letters, a.labels, strict=True)]
        return {
            "range": [a.low, a.high],
            "tickvals": centres,
            "ticktext": text,
            "tickfont": {"size": 12, "color": INK},
            "showgrid": False,
            "zeroline": False,
            "showline": True,
            "mirror": True,
            "linecolor": "#7a7a7a",
            "ticks": "",
            "minor": {
                "tickvals": list(a.boundaries),
                "showgrid": True,
                "gridcolor": "rgba(110,110,110,0.45)",
                "gridwidth": 1,
                "ticks": "",
            },
            "title": {
                "text": f"<b>{_e(a.title)}</b><br><span style='font-size:12px;color:{GREY}'>"
                f"{_e(a.note)}</span>",
                "font": {"size": 14, "color": INK},
                "standoff": 12,
            },
            "fixedrange": False,
        }

    subtitle = f"<br><span style='font-size:14px;color:{GREY}'>{_e(scene.subtitle)}</span>"
    fig.update_layout(
        width=width,
        height=height,
        autosize=False,
        margin={**margin, "autoexpand": False},
        font={"family": FONT, "color": INK},
        plot_bgcolor="white",
        paper_bgcolor="white",
        title={
            "text": f"<b>{_e(scene.title)}</b>" + (subtitle if scene.subtitle else ""),
            "x": margin["l"] / width,
            "xanchor": "left",
            "y": 1 - 14 / height,
            "yanchor": "top",
            "font": {"size": 21},
        },
        xaxis=axis("x"),
        yaxis=axis("y"),
        hovermode="closest",
        hoverlabel={"align": "left", "font": {"family": FONT, "size": 12}},
        legend={
            "title": {"text": f"<b>{_e(gettext('Theme'))}</b>"},
            "x": 1.02,
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
            "font": {"size": 12},
            "tracegroupgap": 2,
        },
        legend2={
            "title": {"text": f"<b>{_e(gettext('Marks'))}</b>"},
            "x": 1.02,
            "xanchor": "left",
            "y": 0,
            "yanchor": "bottom",
            "font": {"size": 12},
        },
    )
    for a, which in ((scene.x_axis, "x"), (scene.y_axis, "y")):
        for boundary in a.boundaries if a.step else ():
            annotations.append(
                {
                    "text": _e(a.step),
                    "x": boundary if which == "x" else 0,
                    "y": 0 if which == "x" else boundary,
                    "xref": "x" if which == "x" else "paper",
                    "yref": "paper" if which == "x" else "y",
                    "xanchor": "center" if which == "x" else "right",
                    "yanchor": "top" if which == "x" else "middle",
                    "yshift": -4 if which == "x" else 0,
                    "xshift": 0 if which == "x" else -6,
                    "showarrow": False,
                    "font": {"size": 11, "color": GREY, "style": "italic"},
                }
            )


def _bands(fig: go.Figure, diagram: RiskDiagram, shapes: list[dict[str, Any]]) -> None:
    bands, x_axis, y_axis = diagram.bands, diagram.likelihood_axis, diagram.impact_axis
    if bands.smooth and len(bands.colours) > 1:
        xs, ys, scores = band_scores(bands, x_axis, y_axis, 48)
        last = len(bands.colours) - 1
        fig.add_trace(
            go.Heatmap(
                x=xs,
                y=ys,
                z=scores,
                zmin=0,
                zmax=1,
                zsmooth="best",
                colorscale=[[i / last, c] for i, c in enumerate(bands.colours)],
                showscale=False,
                hoverinfo="skip",
                name=gettext("colour bands (illustrative)"),
            )
        )
        return
    for colour, polygon in band_polygons(bands, x_axis, y_axis):
        path = "M " + " L ".join(f"{x:.4f},{y:.4f}" for x, y in polygon) + " Z"
        shapes.append(
            {
                "type": "path",
                "path": path,
                "fillcolor": colour,
                "line": {"width": 0},
                "layer": "below",
            }
        )


def _hover(p: Placed) -> str:
    first, *rest = p.hover
    return "<br>".join([f"<b>{_e(first)}</b>", *(_e(line) for line in rest)])


def _errors(values: Sequence[tuple[float, float] | None], at: Sequence[float]) -> dict[str, Any]:
    if not any(values):
        return {"visible": False}
    return {
        "type": "data",
        "symmetric": False,
        "array": [max(v[1] - c, 0.0) if v else None for v, c in zip(values, at, strict=True)],
        "arrayminus": [max(c - v[0], 0.0) if v else None for v, c in zip(values, at, strict=True)],
        "thickness": 1,
        "width": 2,
    }


def _points(fig: go.Figure, scene: Scene) -> None:
    faded = [p for p in scene.placed if p.kind == "previous"]
    if faded:
        fig.add_trace(
            go.Scatter(
                x=[p.x for p in faded],
                y=[p.y for p in faded],
                mode="markers",
                marker={
                    "size": MARKER_SIZE,
                    "color": [p.style.colour for p in faded],
                    "symbol": [p.style.marker for p in faded],
                },
                opacity=0.3,
                hovertext=[_hover(p) for p in faded],
                hovertemplate="%{hovertext}<extra></extra>",
                customdata=[p.point.key for p in faded],
                showlegend=False,
                name=f"only in {scene.previous_name}",
            )
        )
    for style in scene.styles:
        members = [p for p in scene.placed if p.kind != "previous" and p.style == style]
        if not members:
            continue
        error_x = _errors([p.point.likelihood_range for p in members], [p.x for p in members])
        error_y = _errors([p.point.impact_range for p in members], [p.y for p in members])
        for bars in (error_x, error_y):
            bars["color"] = _rgba(style.colour, 0.5)
        fig.add_trace(
            go.Scatter(
                x=[p.x for p in members],
                y=[p.y for p in members],
                mode="markers",
                marker={
                    "size": MARKER_SIZE,
                    "color": style.colour,
                    "symbol": style.marker,
                    "line": {"color": INK, "width": 0.8},
                },
                error_x=error_x,
                error_y=error_y,
                name="<br>".join(_e(t) for t in textwrap.wrap(style.theme, 34)) or _e(style.theme),
                legendgroup=style.theme,
                hovertext=[_hover(p) for p in members],
                hovertemplate="%{hovertext}<extra></extra>",
                customdata=[p.point.key for p in members],
            )
        )


def _rgba(colour: str, alpha: float) -> str:
    value = colour.lstrip("#")
    if len(value) != 6:
        return colour
    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _legend_only(fig: go.Figure, name: str, **style: Any) -> None:
    fig.add_trace(
        go.Scatter(x=[None], y=[None], name=name, legend="legend2", hoverinfo="skip", **style)
    )


def _marks(fig: go.Figure, scene: Scene, annotations: list[dict[str, Any]]) -> None:
    new = [p for p in scene.placed if p.kind == "new"]
    if new:
        fig.add_trace(
            go.Scatter(
                x=[p.x for p in new],
                y=[p.y for p in new],
                mode="markers",
                marker={
                    "size": RING_SIZE,
                    "symbol": "circle-open",
                    "color": "black",
                    "line": {"width": 1.8},
                },
                name=gettext("New in this round (ring)"),
                legend="legend2",
                hoverinfo="skip",
            )
        )
    if any(p.kind == "previous" for p in scene.placed):
        _legend_only(
            fig,
            gettext("Only in %(round)s (faded)", round=_e(scene.previous_name)),
            mode="markers",
            marker={"size": MARKER_SIZE, "color": "rgba(120,120,120,0.35)"},
        )
    if scene.shifts:
        fig.add_trace(
            go.Scatter(
                x=[s.start[0] for s in scene.shifts],
                y=[s.start[1] for s in scene.shifts],
                mode="markers",
                marker={"size": 5, "color": "white", "line": {"color": ARROW, "width": 1}},
                showlegend=False,
                hoverinfo="skip",
                name=gettext("previous positions"),
            )
        )
        _legend_only(
            fig,
            gettext("Shift since %(round)s", round=_e(scene.previous_name)),
            mode="lines+markers",
            line={"color": ARROW, "width": 1.1},
            marker={"symbol": "triangle-right", "size": 7, "color": ARROW},
        )
        for shift in scene.shifts:
            annotations.append(
                {
                    "name": f"shift:{shift.key}",
                    "x": shift.end[0],
                    "y": shift.end[1],
                    "ax": shift.start[0],
                    "ay": shift.start[1],
                    "xref": "x",
                    "yref": "y",
                    "axref": "x",
                    "ayref": "y",
                    "text": "",
                    "showarrow": True,
                    "arrowhead": 2,
                    "arrowsize": 1.1,
                    "arrowwidth": 1.1,
                    "arrowcolor": ARROW,
                    "standoff": (RING_SIZE if shift.to_new else MARKER_SIZE) / 2 + 1,
                    "startstandoff": 2,
                }
            )
    if scene.has_ranges:
        _legend_only(
            fig, _e(scene.range_label), mode="lines", line={"color": "#777777", "width": 1}
        )


def _labels(scene: Scene, plot: Box, annotations: list[dict[str, Any]]) -> None:
    span_x = scene.x_axis.high - scene.x_axis.low
    span_y = scene.y_axis.high - scene.y_axis.low

    def px(x: float, y: float) -> tuple[float, float]:
        return (
            plot.x0 + (x - scene.x_axis.low) / span_x * (plot.x1 - plot.x0),
            plot.y0 + (y - scene.y_axis.low) / span_y * (plot.y1 - plot.y0),
        )

    labels, markers, bars = [], [], []
    for p in scene.placed:
        anchor = px(p.x, p.y)
        radius = (RING_SIZE if p.kind == "new" else MARKER_SIZE) / 2
        labels.append(
            Label(
                anchor, len(p.text) * LABEL_SIZE * CHAR_WIDTH + 4, LABEL_SIZE * 1.3 + 2, radius + 1
            )
        )
        markers.append(
            Box(anchor[0] - radius, anchor[1] - radius, anchor[0] + radius, anchor[1] + radius)
        )
        if p.kind == "previous":
            continue
        if p.point.impact_range:
            bars.append((px(p.x, p.point.impact_range[0]), px(p.x, p.point.impact_range[1])))
        if p.point.likelihood_range:
            bars.append(
                (px(p.point.likelihood_range[0], p.y), px(p.point.likelihood_range[1], p.y))
            )
    bars += [(px(*s.start), px(*s.end)) for s in scene.shifts]
    placements = place_labels(
        labels, bounds=plot.grown(-2), markers=markers, bars=list[Segment](bars)
    )
    for p, label, placement in zip(scene.placed, labels, placements, strict=True):
        dx = placement.centre[0] - label.anchor[0]
        dy = placement.centre[1] - label.anchor[1]
        faded = p.kind == "previous"
        common: dict[str, Any] = {
            "name": f"label:{p.point.key}",
            "x": p.x,
            "y": p.y,
            "text": _e(p.text),
            "hovertext": _hover(p),
            "font": {
                "size": LABEL_SIZE,
                "color": "#777777" if faded else INK,
                "style": "italic" if faded else "normal",
            },
            "bgcolor": "rgba(255,255,255,0.6)",
            "borderpad": 0,
            "xanchor": "center",
            "yanchor": "middle",
        }
        if placement.leader is None:
            common.update(showarrow=False, xshift=dx, yshift=dy)
        else:
            common.update(
                showarrow=True,
                ax=dx,
                ay=-dy,
                arrowhead=0,
                arrowwidth=0.8,
                arrowcolor="#6a6a6a",
                standoff=label.radius,
            )
        annotations.append(common)
