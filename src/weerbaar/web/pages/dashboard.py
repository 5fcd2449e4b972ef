"""The dashboard (the national risk profile) and what its diagram needs: the PNG
fallback and plotly's script, served from the installed plotly package."""

from __future__ import annotations

from functools import cache
from importlib import metadata, resources
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from weerbaar import i18n
from weerbaar.domain.access import Subject
from weerbaar.errors import NotFoundError
from weerbaar.reports.diagram import RiskDiagram
from weerbaar.reports.round_diagram import risk_diagram
from weerbaar.services.assessment import assess_round
from weerbaar.services.level_views import levels_view
from weerbaar.services.profile import national_profile
from weerbaar.services.tier_proposals import TierReport, propose_tiers
from weerbaar.storage.db import Database
from weerbaar.web.auth import database, require_caller
from weerbaar.web.kept_views import kept_view
from weerbaar.web.pages.display import scope_label
from weerbaar.web.pages.figures import diagram_png, figure_json
from weerbaar.web.pages.levels import when
from weerbaar.web.pages.round_changes import movements
from weerbaar.web.pages.rounds import DRAWS, SEED, visible_rounds
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)

PLOTLY_JS = "package_data/plotly.min.js"
A_YEAR = 365 * 24 * 3600


def _diagram(db: Database, subject: Subject) -> RiskDiagram | None:
    try:
        return risk_diagram(db, draws=DRAWS, seed=SEED, subject=subject)
    except NotFoundError:
        return None  # no round the user may see


def _changes(db: Database, subject: Subject) -> dict[str, Any] | None:
    """The newest visible round against the one before it, if there is one."""
    rounds = visible_rounds(db, subject)
    if len(rounds) < 2:
        return None
    current = assess_round(db, round_key=rounds[-1].key, subject=subject)
    previous = assess_round(db, round_key=rounds[-2].key, subject=subject)
    return {
        "current": current.round,
        "previous": previous.round,
        "movements": movements(current, previous),
    }


def _tier_report(db: Database, subject: Subject) -> TierReport | None:
    try:
        return propose_tiers(db, subject=subject, explain=False)
    except NotFoundError:
        return None  # no cycle the user may see


def _threat_levels(db: Database, subject: Subject, report: TierReport | None) -> dict[str, Any]:
    """The scopes at more than their scale's lowest level or raised by their last
    change, and the themes a raised level puts up for tier review."""
    view = levels_view(db, subject=subject)
    scopes = [
        {
            "key": s.scope.key,
            "scale": s.scale,
            "where": scope_label(s.scope),
            "level": s.scale.level(s.state.level),
            "raised": s.raised,
            "since": when(s.state.since),
            "measures": len(s.active),
        }
        for s in view.scopes
        if s.raised or s.state.level > s.scale.range[0]
    ]
    review = []
    if report is not None:
        flagged = [report.themes[k] for k in report.review if k in report.themes]
        for theme in sorted(flagged, key=lambda t: i18n.localised(t).casefold()):
            key = theme.key
            review.append(
                {
                    "key": key,
                    "name": i18n.localised(theme),
                    "reasons": [i18n.translated(r) for r in report.review[key]],
                }
            )
    return {"scopes": scopes, "review": review, "any": bool(view.scopes)}


@cache
def _plotly() -> bytes:
    return resources.files("plotly").joinpath(PLOTLY_JS).read_bytes()


@router.get("/")
def dashboard(request: Request) -> Response:
    caller = require_caller(request)
    db = database(request)

    def build() -> Response:
        diagram = _diagram(db, caller.subject)
        report = _tier_report(db, caller.subject)
        return render(
            request,
            "dashboard.html",
            {
                "caller": caller,
                "diagram": diagram,
                "figure": figure_json(diagram) if diagram is not None and diagram.points else None,
                "tiers": national_profile(db, subject=caller.subject),
                "changes": _changes(db, caller.subject),
                "levels": _threat_levels(db, caller.subject, report),
                "plotly_version": metadata.version("plotly"),
            },
        )

    return kept_view(request, caller, build)


@router.get("/diagram.png")
def diagram_image(request: Request) -> Response:
    caller = require_caller(request)

    def build() -> Response:
        diagram = _diagram(database(request), caller.subject)
        if diagram is None:
            raise NotFoundError("round", "(any)")
        return Response(diagram_png(diagram), media_type="image/png")

    return kept_view(request, caller, build)


@router.get("/static-lib/plotly.min.js")
def plotly_script() -> Response:
    """Not the register's data: anyone may fetch it, and browsers may keep it; the
    page names it with plotly's version, so an upgrade is fetched afresh."""
    return Response(
        _plotly(),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": f"public, max-age={A_YEAR}, immutable"},
    )
