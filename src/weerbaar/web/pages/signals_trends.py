"""The signal trends page: per theme the reader may see, events per day as bars and
reports per day as a line, the stretch the theme grows shaded, in one plotly figure
of small multiples (drawn by ``/static/infrastructure.js`` from the JSON the page
carries); themes without signals in the window in one line of text."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from importlib import metadata
from typing import Any

import plotly.graph_objects as go  # type: ignore[import-untyped]  # plotly ships no types
from fastapi import APIRouter, Request
from fastapi.responses import Response
from plotly.subplots import make_subplots  # type: ignore[import-untyped]

from weerbaar import i18n
from weerbaar.errors import ValidationError
from weerbaar.services.horizon import ThemeTrend, theme_trends
from weerbaar.web.auth import Caller, database, require_caller
from weerbaar.web.kept_views import kept_view
from weerbaar.web.limits import EARLIEST, LATEST, check_window
from weerbaar.web.pages.figures import embeddable
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)

CONFIG = {"displaylogo": False, "responsive": True}
PANEL_HEIGHT = 170
EVENTS = "#4c78a8"
REPORTS = "#e45756"
GROWING = "rgba(228,87,86,0.15)"


def _days(trend: ThemeTrend) -> list[str]:
    return [trend.day(i).isoformat() for i in range(len(trend.volume))]


def trends_figure(trends: Sequence[ThemeTrend]) -> str | None:
    """One panel per theme with signals, sharing the time axis; None without any."""
    shown = [t for t in trends if t.volume.sum() > 0 or t.weight.sum() > 0]
    if not shown:
        return None
    titles = [
        i18n.gettext("%(theme)s — growing since %(date)s", theme=t.name, date=t.since)
        if t.since
        else t.name
        for t in shown
    ]
    figure = make_subplots(
        rows=len(shown),
        cols=1,
        shared_xaxes=True,
        subplot_titles=titles,
        vertical_spacing=min(0.08, 0.5 / len(shown)),
    )
    for row, trend in enumerate(shown, start=1):
        days = _days(trend)
        figure.add_trace(
            go.Bar(
                x=days,
                y=trend.volume.tolist(),
                name=i18n.gettext("events per day"),
                legendgroup="events",
                showlegend=row == 1,
                marker={"color": EVENTS},
                hovertemplate=f"{trend.name}<br>%{{x}}: %{{y:.0f}} events<extra></extra>",
            ),
            row=row,
            col=1,
        )
        figure.add_trace(
            go.Scatter(
                x=days,
                y=trend.weight.tolist(),
                mode="lines",
                name=i18n.gettext("reports per day"),
                legendgroup="reports",
                showlegend=row == 1,
                line={"color": REPORTS, "width": 1.5},
                hovertemplate=f"{trend.name}<br>%{{x}}: %{{y:.0f}} reports<extra></extra>",
            ),
            row=row,
            col=1,
        )
        if trend.since is not None:
            end = trend.day(len(trend.volume) - 1) + dt.timedelta(days=trend.period_days)
            figure.add_vrect(
                x0=trend.since.isoformat(),
                x1=end.isoformat(),
                fillcolor=GROWING,
                line_width=0,
                layer="below",
                row=row,
                col=1,
            )
    figure.update_layout(
        height=80 + PANEL_HEIGHT * len(shown),
        margin={"l": 40, "r": 10, "t": 40, "b": 30},
        bargap=0.1,
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
        hovermode="closest",
        plot_bgcolor="white",
    )
    figure.update_yaxes(rangemode="tozero", gridcolor="#eee")
    return embeddable(f'{{"figure": {figure.to_json()}, "config": {json.dumps(CONFIG)}}}')


def _date(text: str, name: str, errors: dict[str, list[str]]) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        errors.setdefault(name, []).append(
            i18n.gettext("give a date as YYYY-MM-DD, not %(text)s", text=repr(text[:40]))
        )
        return None
    if not EARLIEST <= day <= LATEST:
        errors.setdefault(name, []).append(
            i18n.gettext("give a date from %(first)s to %(last)s", first=EARLIEST, last=LATEST)
        )
        return None
    return day


@router.get("/signals/trends")
def trends_page(request: Request, since: str = "", until: str = "") -> Response:
    caller = require_caller(request)
    return kept_view(request, caller, lambda: _trends_page(request, caller, since, until))


def _trends_page(request: Request, caller: Caller, since: str, until: str) -> Response:
    errors: dict[str, list[str]] = {}
    start = _date(since, "since", errors)
    end = _date(until, "until", errors)
    trends: list[ThemeTrend] = []
    if not errors:
        try:
            check_window(start, end)
            trends = theme_trends(database(request), subject=caller.subject, since=start, until=end)
        except ValidationError as exc:
            for issue in exc.issues:
                errors.setdefault(issue.field or "since", []).append(i18n.translated(issue.reason))
    quiet = [t.name for t in trends if not (t.volume.sum() > 0 or t.weight.sum() > 0)]
    rows: list[dict[str, Any]] = [
        {
            "theme": t.theme,
            "name": t.name,
            "events": int(t.volume.sum()),
            "reports": int(t.weight.sum()),
            "since": t.since,
            "detected": t.detected,
        }
        for t in trends
        if t.volume.sum() > 0 or t.weight.sum() > 0
    ]
    return render(
        request,
        "signals_trends.html",
        {
            "caller": caller,
            "values": {"since": since.strip(), "until": until.strip()},
            "errors": errors,
            "window": (trends[0].start, trends[0].day(len(trends[0].volume) - 1))
            if trends and len(trends[0].volume)
            else None,
            "figure": trends_figure(trends),
            "rows": rows,
            "quiet": quiet,
            "plotly_version": metadata.version("plotly"),
        },
        status_code=422 if errors else 200,
    )
