"""The figures of the national risk profile report, as SVG to inline in its HTML (and
so in its PDF): the round's risk diagram, the portfolio heatmap, the threat-level
timelines and a signal trend per theme.

Each is drawn by the code that draws it elsewhere (:mod:`.diagram_static`,
:mod:`.portfolio_plot`, :mod:`.levels_timeline`, :mod:`.signal_trends`) from the
inputs the same services give the pages, read as ``reader``: a figure shows only
what that reader may see, not even a point or a count more. Words, dates and the
names of records are in the current language (:func:`weerbaar.i18n.speaking`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from weerbaar.domain.access import Subject
from weerbaar.domain.alerting import ScopeTimeline
from weerbaar.errors import Issue, ValidationError, said
from weerbaar.i18n import gettext
from weerbaar.reports._svg import inline_svg
from weerbaar.reports.diagram_static import build_figure
from weerbaar.reports.levels_timeline import timeline_figure
from weerbaar.reports.portfolio_plot import portfolio_figure, portfolio_matrix
from weerbaar.reports.round_diagram import assessed_diagram, theme_names
from weerbaar.reports.signal_trends import Panel, trends_figure
from weerbaar.services.assessment import RoundAssessment
from weerbaar.services.horizon import ThemeTrend, theme_trends
from weerbaar.services.level_views import timelines
from weerbaar.services.portfolio import portfolio_view
from weerbaar.storage.db import Database

__all__ = ["DIAGRAM_SIZE", "FIGURE_SCENARIOS", "TREND_BARS", "ProfileFigures", "profile_figures"]

# At most this many bars in a trend: a longer period is drawn in steps of several of
# the detection's periods (growth is still detected per period, as on the pages).
TREND_BARS = 120
# Smaller than the diagram's own default (12 × 9 in), so that its words keep a
# readable size on an A4 page when the figure is scaled to the width of the text.
DIAGRAM_SIZE = (10.0, 7.5)
# The diagram and the heatmap show at most this many of the highest risks (the
# annexes list them all): beyond it their labels no longer fit on a page, and drawing
# them would take minutes.
FIGURE_SCENARIOS = 80


@dataclass(frozen=True, slots=True)
class ProfileFigures:
    """Each figure as an ``<svg>`` element, ids unique across all of them."""

    diagram: str  # the round's risk diagram, with arrows from the previous round if any
    portfolio: str | None  # scenarios × ministries; None with no scenario or no ministry
    levels: str | None  # threat levels over the period; None with no level set by then
    trends: Mapping[str, str]  # theme key → its signal trend, for themes with signals


def profile_figures(
    db: Database,
    reader: Subject,
    *,
    current: RoundAssessment,
    earlier: RoundAssessment | None,
    since: dt.datetime,
    until: dt.datetime,
) -> ProfileFigures:
    """The report's figures of the round assessed in ``current`` (against ``earlier``,
    when given) and of the period from ``since`` to ``until``, as ``reader`` may see
    them; both rounds are assessed for ``reader``, so their ranges are the report's own.

    The portfolio judges its measures as of the period's last day. Times without a
    zone are read as UTC."""
    start, end = _aware(since), _aware(until)
    if start >= end:
        raise ValidationError(
            [
                Issue(
                    "since",
                    "since",
                    said(
                        "%(start)s is after the end %(end)s",
                        start=start.isoformat(),
                        end=end.isoformat(),
                    ),
                )
            ]
        )
    return ProfileFigures(
        diagram=_diagram(db, reader, current, earlier),
        portfolio=_portfolio(db, reader, end.date(), current),
        levels=_levels(db, reader, start, end),
        trends=_trends(db, reader, start.date(), end.date()),
    )


def _diagram(
    db: Database, reader: Subject, current: RoundAssessment, earlier: RoundAssessment | None
) -> str:
    diagram = assessed_diagram(current, earlier, theme_names(db, reader), most=FIGURE_SCENARIOS)
    return inline_svg(build_figure(diagram, size=DIAGRAM_SIZE), prefix="diagram")


def _portfolio(
    db: Database, reader: Subject, today: dt.date, current: RoundAssessment
) -> str | None:
    view = portfolio_view(db, today=today, subject=reader, ranked_by=current)
    if not view.portfolio.coverage or not view.portfolio.ministries:
        return None
    portfolio, title = view.portfolio, view.title
    if len(portfolio.coverage) > FIGURE_SCENARIOS:
        title = gettext(
            "%(title)s: the %(shown)s highest risks of %(count)s",
            title=title,
            shown=FIGURE_SCENARIOS,
            count=len(portfolio.coverage),
        )
        portfolio = dataclasses.replace(portfolio, coverage=portfolio.coverage[:FIGURE_SCENARIOS])
    matrix = portfolio_matrix(portfolio, label=view.label, title=title)
    return inline_svg(portfolio_figure(matrix), prefix="portfolio")


def _levels(db: Database, reader: Subject, start: dt.datetime, end: dt.datetime) -> str | None:
    shown = [t for t in timelines(db, subject=reader) if _has_level(t, end)]
    if not shown:
        return None
    return inline_svg(timeline_figure(shown, since=start, until=end), prefix="levels")


def _has_level(timeline: ScopeTimeline, end: dt.datetime) -> bool:
    """Whether a level was set for the scope by ``end``: a scope first given one
    later has nothing to show for the period."""
    return any(_aware(step.at) <= end for step in timeline.steps)


def _trends(db: Database, reader: Subject, start: dt.date, end: dt.date) -> dict[str, str]:
    found: Sequence[ThemeTrend] = theme_trends(db, subject=reader, since=start, until=end)
    figures = {}
    for trend in found:
        if trend.volume.any():
            panel, period_days = _panel(trend)
            figures[trend.theme] = inline_svg(
                trends_figure([panel], period_days=period_days), prefix=f"trend-{trend.theme}"
            )
    return figures


def _panel(trend: ThemeTrend) -> tuple[Panel, int]:
    """The trend as one panel, its periods joined ``step`` at a time when there are
    more than :data:`TREND_BARS`; and the days in a bar."""
    step = max(1, math.ceil(len(trend.volume) / TREND_BARS))
    volume, weight = _joined(trend.volume, step), _joined(trend.weight, step)
    days = [trend.day(i * step) for i in range(len(volume))]
    return Panel(trend.name, days, volume, weight, trend.since), trend.period_days * step


def _joined(values: NDArray[np.float64], step: int) -> NDArray[np.float64]:
    if step == 1:
        return values
    padded = np.concatenate([values, np.zeros(-len(values) % step)])
    joined: NDArray[np.float64] = padded.reshape(-1, step).sum(axis=1)
    return joined


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
