"""The portfolio page: the integral view of risks against effort (integrale aanpak),
as far as the reader may see; the heatmap as plotly figure data and as a PNG for
browsers without JavaScript; and the matrix as CSV, XLSX or JSON.

Every route reads through :func:`portfolio_view` with the reader's need-to-know, so
the table, the figure, the image and the downloads show the same records.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from weerbaar import i18n
from weerbaar.domain.access import Subject
from weerbaar.domain.entities.strategy import Measure, Organisation, Theme
from weerbaar.domain.enums import OrgKind
from weerbaar.domain.portfolio import CoverageState, Effort, stalled
from weerbaar.errors import NotFoundError
from weerbaar.formats.tables import csv_bytes, xlsx_bytes
from weerbaar.reports.portfolio_plot import (
    build_heatmap,
    portfolio_matrix,
    render_portfolio,
)
from weerbaar.services.portfolio import PortfolioView, portfolio_view
from weerbaar.services.records import list_records
from weerbaar.storage.db import Database
from weerbaar.web.auth import database, require_caller
from weerbaar.web.kept_views import kept_view
from weerbaar.web.pages.common import record_url
from weerbaar.web.pages.figures import embeddable
from weerbaar.web.presenters import as_json
from weerbaar.web.presenters.portfolio import matrix_table, portfolio_answer
from weerbaar.web.query import blank
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)

FIGURE_CONFIG = {
    "displaylogo": False,
    "responsive": False,
    "toImageButtonOptions": {"format": "png", "filename": "portfolio", "scale": 2},
}

# How each coverage state is shown: a sign and words, never colour alone.
STATES: dict[CoverageState, dict[str, str]] = {
    CoverageState.NONE: {"sign": "✗", "label": i18n.N_("No measures"), "nl": "geen maatregelen"},
    CoverageState.STALLED: {
        "sign": "!",
        "label": i18n.N_("Only stalled measures"),
        "nl": "vastgelopen",
    },
    CoverageState.COVERED: {"sign": "✓", "label": i18n.N_("Covered"), "nl": "gedekt"},
}


def shown_states() -> dict[CoverageState, dict[str, str]]:
    """:data:`STATES` with their words in the reader's language."""
    return {
        state: {**shown, "label": i18n.gettext(shown["label"])} for state, shown in STATES.items()
    }


def filter_query(**filters: str | None) -> str:
    kept = {k: v for k, v in filters.items() if v}
    return f"?{urlencode(kept)}" if kept else ""


def money(amount: float) -> str:
    return f"€ {amount:,.0f}" if amount else "—"


def visible_themes(db: Database, subject: Subject) -> list[Theme]:
    themes: list[Theme] = list_records(db, entity_name="themes", subject=subject)
    return sorted(themes, key=lambda t: i18n.localised(t))


class Filtered(Protocol):
    """What the portfolio and progress views share for their filters."""

    @property
    def organisations(self) -> Mapping[str, Organisation]: ...
    @property
    def ministry(self) -> str | None: ...
    def label(self, organisation: str) -> str: ...


def ministry_choices(view: Filtered, also: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """The ministries the reader may see, and any other organisation named in ``also``
    (a column of the matrix: an agency or business answering to no ministry)."""
    keys = {k for k, o in view.organisations.items() if o.kind is OrgKind.MINISTRY}
    keys |= set(also)
    if view.ministry:
        keys.add(view.ministry)
    return sorted(((k, view.label(k)) for k in keys), key=lambda c: (c[1].casefold(), c[0]))


def _measure_link(measure: Measure, view: PortfolioView) -> dict[str, Any]:
    return {
        "key": measure.key,
        "title": i18n.localised(measure, "title"),
        "href": record_url("measures", measure.key),
        "stalled": stalled(measure, view.today),
        "owner": view.label(measure.owner),
    }


def _rows(view: PortfolioView) -> list[dict[str, Any]]:
    p = view.portfolio
    states = shown_states()
    rows = []
    for coverage in p.coverage:
        scenario = coverage.scenario
        rows.append(
            {
                "rank": coverage.rank,
                "key": scenario.key,
                "title": i18n.localised(scenario, "title"),
                "href": record_url("scenarios", scenario.key),
                "theme": view.theme_name(scenario.theme),
                "theme_href": record_url("themes", scenario.theme),
                "state": str(coverage.state),
                "shown": states[coverage.state],
                "measures": [_measure_link(m, view) for m in coverage.measures],
                "cells": [
                    [_measure_link(m, view) for m in p.cell(scenario.key, ministry)]
                    for ministry in p.ministries
                ],
            }
        )
    return rows


def _effort(rows: tuple[Effort, ...], label: Any, href: Any) -> list[dict[str, Any]]:
    return [
        {
            "key": e.key,
            "label": label(e.key),
            "href": href(e.key),
            "measures": e.measures,
            "stalled": e.stalled,
            "budget": money(e.budget),
            "unbudgeted": e.unbudgeted,
        }
        for e in rows
    ]


def figure_json(view: PortfolioView) -> str | None:
    """``{"figure": …, "config": …}`` for Plotly.newPlot, or None with nothing to draw."""
    p = view.portfolio
    if not p.coverage or not p.ministries:
        return None
    matrix = portfolio_matrix(p, label=view.label, title=view.title)
    figure = build_heatmap(matrix).to_json()
    return embeddable(f'{{"figure": {figure}, "config": {json.dumps(FIGURE_CONFIG)}}}')


def _view(request: Request, theme: str | None, ministry: str | None) -> tuple[Any, PortfolioView]:
    caller = require_caller(request)
    view = portfolio_view(
        database(request), theme=blank(theme), ministry=blank(ministry), subject=caller.subject
    )
    return caller, view


@router.get("/portfolio")
def portfolio_page(
    request: Request, theme: str | None = None, ministry: str | None = None
) -> Response:
    caller = require_caller(request)
    return kept_view(request, caller, lambda: _portfolio_page(request, theme, ministry))


def _portfolio_page(request: Request, theme: str | None, ministry: str | None) -> Response:
    caller, view = _view(request, theme, ministry)
    p = view.portfolio
    rows = _rows(view)
    return render(
        request,
        "portfolio.html",
        {
            "caller": caller,
            "view": view,
            "title": view.title,
            "rows": rows,
            "columns": [
                {"key": k, "label": view.label(k), "href": record_url("organisations", k)}
                for k in p.ministries
            ],
            "by_ministry": _effort(
                p.by_ministry, view.label, lambda k: f"/portfolio{filter_query(ministry=k)}"
            ),
            "by_theme": _effort(
                p.by_theme, view.theme_name, lambda k: f"/portfolio{filter_query(theme=k)}"
            ),
            "uncovered": [r for r in rows if r["state"] == CoverageState.NONE],
            "only_stalled": [r for r in rows if r["state"] == CoverageState.STALLED],
            "unlinked": [_measure_link(m, view) for m in p.unlinked],
            "states": shown_states(),
            "themes": visible_themes(database(request), caller.subject),
            "ministries": ministry_choices(view, p.ministries),
            "query": filter_query(theme=view.theme, ministry=view.ministry),
            "figure": figure_json(view),
            "plotly_version": metadata.version("plotly"),
        },
    )


@router.get("/portfolio.png")
def portfolio_image(
    request: Request, theme: str | None = None, ministry: str | None = None
) -> Response:
    caller = require_caller(request)

    def build() -> Response:
        _, view = _view(request, theme, ministry)
        matrix = portfolio_matrix(view.portfolio, label=view.label, title=view.title)
        with tempfile.TemporaryDirectory(prefix="weerbaar-portfolio-") as folder:
            image = render_portfolio(matrix, Path(folder) / "portfolio.png").read_bytes()
        return Response(image, media_type="image/png")

    return kept_view(request, caller, build)


# --- downloads of the matrix ----------------------------------------------------------


def _csv(view: PortfolioView) -> bytes:
    return csv_bytes(matrix_table(view))


def _xlsx(view: PortfolioView) -> bytes:
    return xlsx_bytes(matrix_table(view), sheet="portfolio", freeze="C2")


def _json(view: PortfolioView) -> bytes:
    return (as_json(portfolio_answer(view)) + "\n").encode("utf-8")


WRITERS = {
    "csv": (_csv, "text/csv; charset=utf-8"),
    "xlsx": (_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": (_json, "application/json"),
}


@router.get("/portfolio/export.{fmt}")
def portfolio_export(
    request: Request, fmt: str, theme: str | None = None, ministry: str | None = None
) -> Response:
    if fmt not in WRITERS:
        raise NotFoundError("export format", fmt)
    _, view = _view(request, theme, ministry)
    write, media_type = WRITERS[fmt]
    return Response(
        write(view),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="portfolio.{fmt}"'},
    )
