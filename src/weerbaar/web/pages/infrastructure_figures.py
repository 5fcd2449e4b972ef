"""The plotly figures of the infrastructure pages: the dependency graph, a cascade's
timeline and the criticality ranking, as JSON to embed in a page (drawn by
``/static/infrastructure.js``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import networkx as nx
import plotly.graph_objects as go  # type: ignore[import-untyped]  # plotly ships no types
from plotly.colors import qualitative  # type: ignore[import-untyped]

from weerbaar import i18n
from weerbaar.services.infrastructure.graph import InfrastructureGraph
from weerbaar.services.infrastructure.ranking import Ranked
from weerbaar.services.infrastructure.runs import CascadeReport
from weerbaar.web.pages.common import record_url
from weerbaar.web.pages.figures import embeddable

LAYOUT_SEED = 7
PALETTE = qualitative.Safe + qualitative.Vivid
CONFIG = {"displaylogo": False, "responsive": True}
TOP = 15


def sector_colours(sectors: Sequence[str]) -> dict[str, str]:
    """One colour per sector, the same whatever the filter (by the sector's place
    among all the reader may see)."""
    return {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(sectors)}


def _embed(figure: go.Figure) -> str:
    return embeddable(f'{{"figure": {figure.to_json()}, "config": {json.dumps(CONFIG)}}}')


def _people(n: float | None) -> str:
    return i18n.gettext("unknown") if n is None else f"{n:,.0f}"


def graph_layout(graph: InfrastructureGraph, keys: set[str]) -> dict[str, tuple[float, float]]:
    """Positions of the chosen processes, from a spring layout with a fixed seed, so
    the same graph is drawn the same way every time."""
    g: nx.DiGraph[str] = nx.DiGraph()
    g.add_nodes_from(sorted(keys))
    g.add_edges_from(
        (d.supplier, d.dependent)
        for d in graph.dependencies
        if d.supplier in keys and d.dependent in keys
    )
    if not keys:
        return {}
    start = nx.spring_layout(g, seed=LAYOUT_SEED)
    # Kamada-Kawai from a seeded start spreads the hubs' neighbours better than a
    # spring layout alone, and is as repeatable.
    raw = nx.kamada_kawai_layout(g.to_undirected(), pos=start) if len(keys) > 2 else start
    return {k: (float(x), float(y)) for k, (x, y) in raw.items()}


def graph_figure(graph: InfrastructureGraph, keys: set[str]) -> str | None:
    """The chosen processes as nodes coloured by sector (one legend entry each), an
    arrow from each supplier to its dependent; or None with nothing to draw."""
    if not keys:
        return None
    pos = graph_layout(graph, keys)
    colours = sector_colours(graph.sectors())
    figure = go.Figure()
    edges = [d for d in graph.dependencies if d.supplier in keys and d.dependent in keys]
    mid_x, mid_y, mid_text = [], [], []
    for d in edges:
        (x0, y0), (x1, y1) = pos[d.supplier], pos[d.dependent]
        strength = d.strength if d.strength is not None else 1.0
        figure.add_annotation(
            x=x1,
            y=y1,
            ax=x0,
            ay=y0,
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            showarrow=True,
            arrowhead=2,
            arrowsize=1,
            arrowwidth=0.6 + 1.6 * strength,
            arrowcolor="rgba(90,90,90,0.55)",
            standoff=9,
            startstandoff=6,
            text="",
        )
        mid_x.append((x0 + x1) / 2)
        mid_y.append((y0 + y1) / 2)
        kind = d.kind.value if d.kind is not None else "dependency"
        mid_text.append(
            f"{d.supplier} → {d.dependent}<br>{kind}, strength {strength:g}"
            + (f", buffer {d.buffer_hours:g} h" if d.buffer_hours is not None else "")
        )
    if edges:
        figure.add_trace(
            go.Scatter(
                x=mid_x,
                y=mid_y,
                mode="markers",
                marker={"size": 6, "color": "rgba(90,90,90,0.25)"},
                hovertemplate="%{text}<extra></extra>",
                text=mid_text,
                name=i18n.gettext("dependency (supplier → dependent)"),
                showlegend=True,
            )
        )
    for sector in graph.sectors():
        shown = [p for p in graph.processes if p.key in keys and p.sector == sector]
        if not shown:
            continue
        figure.add_trace(
            go.Scatter(
                x=[pos[p.key][0] for p in shown],
                y=[pos[p.key][1] for p in shown],
                mode="markers+text",
                name=sector,
                legendgroup=sector,
                text=[p.key.removeprefix("vp-") for p in shown],
                textposition="top center",
                textfont={"size": 10},
                marker={
                    "size": 16,
                    "color": colours[sector],
                    "line": {"width": 1, "color": "#333"},
                },
                customdata=[
                    [
                        p.key,
                        record_url("vital_processes", p.key),
                        i18n.localised(p),
                        p.sector,
                        p.region or i18n.gettext("nationwide"),
                        _people(p.people_served),
                    ]
                    for p in shown
                ],
                hovertemplate="<b>%{customdata[2]}</b> (%{customdata[0]})<br>"
                "sector: %{customdata[3]}<br>region: %{customdata[4]}<br>"
                "people served: %{customdata[5]}<extra></extra>",
            )
        )
    figure.update_layout(
        height=640,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        hovermode="closest",
        legend={"title": {"text": i18n.gettext("Sector")}},
        xaxis={"visible": False},
        yaxis={"visible": False},
        plot_bgcolor="white",
    )
    return _embed(figure)


def timeline_figure(report: CascadeReport, sectors: Sequence[str]) -> str | None:
    """A bar per affected process from the hour it fails to the hour it recovers,
    coloured by sector, the starts marked; with members the fail probability too."""
    if not report.affected:
        return None
    colours = sector_colours(sectors)
    ordered = sorted(report.affected, key=lambda a: (a.fails_at, a.process))
    started = {s.process for s in report.starts}

    def label(a: Any) -> str:
        p = "" if a.fail_probability is None else f" (p {a.fail_probability:.0%})"
        return f"{a.process}{p}"

    labels = [label(a) for a in ordered]
    figure = go.Figure()
    for sector in dict.fromkeys(a.sector for a in ordered):
        rows = [a for a in ordered if a.sector == sector]
        figure.add_trace(
            go.Bar(
                orientation="h",
                y=[label(a) for a in rows],
                x=[a.hours for a in rows],
                base=[a.fails_at for a in rows],
                name=sector,
                marker={"color": colours.get(sector, "#888")},
                customdata=[
                    [
                        a.name,
                        a.fails_at,
                        a.recovers_at,
                        a.cause or "start",
                        "—" if a.fail_probability is None else f"{a.fail_probability:.0%}",
                    ]
                    for a in rows
                ],
                hovertemplate="<b>%{customdata[0]}</b><br>down from hour %{customdata[1]:.1f} "
                "to %{customdata[2]:.1f}<br>caused by: %{customdata[3]}<br>"
                "fail probability: %{customdata[4]}<extra></extra>",
            )
        )
    starts = [a for a in ordered if a.process in started]
    figure.add_trace(
        go.Scatter(
            x=[a.fails_at for a in starts],
            y=[label(a) for a in starts],
            mode="markers",
            name=i18n.gettext("start"),
            marker={"symbol": "star", "size": 14, "color": "black"},
            hovertemplate="start: %{y} at hour %{x}<extra></extra>",
        )
    )
    figure.update_layout(
        height=max(260, 60 + 28 * len(ordered)),
        barmode="overlay",
        margin={"l": 10, "r": 10, "t": 30, "b": 40},
        xaxis={"title": {"text": i18n.gettext("hour")}},
        yaxis={"categoryorder": "array", "categoryarray": labels, "autorange": "reversed"},
        legend={"title": {"text": i18n.gettext("Sector")}},
    )
    return _embed(figure)


MEASURES = {
    "people_hours": i18n.N_("person-hours"),
    "taken_down": i18n.N_("processes taken down"),
    "cost": i18n.N_("cost (EUR)"),
}


def ranking_figure(ranked: Sequence[Ranked], by: str, sectors: Sequence[str]) -> str | None:
    top = list(ranked[:TOP])
    if not top:
        return None
    colours = sector_colours(sectors)
    figure = go.Figure(
        go.Bar(
            orientation="h",
            y=[r.process for r in top],
            x=[float(getattr(r, by)) for r in top],
            marker={"color": [colours.get(r.sector, "#888") for r in top]},
            customdata=[[r.name, r.sector] for r in top],
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{x:,.0f}<extra></extra>",
        )
    )
    figure.update_layout(
        height=max(260, 60 + 26 * len(top)),
        margin={"l": 10, "r": 10, "t": 30, "b": 40},
        xaxis={"title": {"text": i18n.gettext(MEASURES.get(by, by))}},
        yaxis={"autorange": "reversed"},
    )
    return _embed(figure)
