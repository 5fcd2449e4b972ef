"""The levels page: per scale the current level of every scope the reader may see,
since when, set by which picture, and the pre-agreed measures in force; a form to set
a level for those whose role sets them; the history of pictures, the measures agreed
per level, and the timeline as an image.

Every read goes through :func:`levels_view` or :func:`timelines` with the reader's
need-to-know: a level whose picture the reader may not see shows the level, not the
picture or its rationale.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from weerbaar import i18n
from weerbaar.domain.alerting import LevelScale, Scope, ScopeKind, picture_time
from weerbaar.domain.entities.levels import AlertMeasure, ThreatPicture
from weerbaar.errors import (
    ConflictError,
    ForbiddenError,
    Issue,
    NotFoundError,
    ValidationError,
    said,
)
from weerbaar.reference.access import classification_levels
from weerbaar.reference.alerting import level_scales
from weerbaar.services.level_views import (
    LevelsView,
    ScopeLevel,
    current_level_of,
    levels_view,
    timelines,
)
from weerbaar.services.levels import LevelRequest, scale_of, set_level
from weerbaar.web.auth import Caller, database, require_caller
from weerbaar.web.context import context_of
from weerbaar.web.delivery import deliver_soon, delivery_settings
from weerbaar.web.pages.common import (
    Form,
    check_form,
    form_text,
    record_url,
    see_other,
)
from weerbaar.web.pages.display import classification_label, level_label, scope_label
from weerbaar.web.pages.forms import _levels as cleared_levels
from weerbaar.web.query import blank
from weerbaar.web.step_up import require_recent
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)

HISTORY_SHOWN = 50
NEW_SCOPE = "new"  # the form for a scope without a level yet
# What the forms send back when a write is refused, so nothing typed is lost.
KEPT_FIELDS = (
    "scale",
    "sector",
    "region",
    "site",
    "level",
    "rationale",
    "summary",
    "classification",
    "level_classification",
)


# How the form for a new scope names each scale, by what its levels hold for.
SCALE_CHOICES: dict[ScopeKind, str] = {
    ScopeKind.NATIONAL: i18n.N_("%(scale)s (%(key)s): per national"),
    ScopeKind.SECTOR: i18n.N_("%(scale)s (%(key)s): per sector"),
    ScopeKind.SITE: i18n.N_("%(scale)s (%(key)s): per site"),
}


def when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True, slots=True)
class Refused:
    """A submitted form that was refused: which form, what it held, and why."""

    form: str  # a scope key, or NEW_SCOPE
    values: Mapping[str, str]
    problems: list[str] = field(default_factory=list)
    conflict: dict[str, Any] | None = None


def _level_options(scale: LevelScale, selected: int | str | None) -> list[dict[str, Any]]:
    return [
        {
            "value": str(lv.rank),
            "label": level_label(lv),
            "selected": str(lv.rank) == str(selected),
        }
        for lv in scale.levels
    ]


def _marking_options(caller: Caller, selected: str | None) -> list[dict[str, Any]]:
    chosen = selected or classification_levels().levels[0].key
    return [
        {"value": key, "label": label, "selected": key == chosen}
        for key, label in cleared_levels(caller.subject)
    ]


def _picture_link(picture: ThreatPicture) -> dict[str, Any]:
    return {
        "key": picture.key,
        "title": i18n.localised(picture, "title"),
        "href": record_url("threat_pictures", picture.key),
        "rationale": picture.rationale,
        "summary": i18n.localised(picture, "summary") or None,
    }


def _scope_row(
    s: ScopeLevel, caller: Caller, refused: Refused | None, may_set: bool
) -> dict[str, Any]:
    level = s.scale.level(s.state.level)
    lowest = classification_levels().levels[0].key
    mine = refused if refused is not None and refused.form == s.scope.key else None
    values: Mapping[str, str] = mine.values if mine else {}
    return {
        "key": s.scope.key,
        "where": scope_label(s.scope),
        "level": level,
        "raised": s.raised,
        "above_lowest": s.state.level > s.scale.range[0],
        "since": when(s.state.since),
        "marking": None
        if s.state.classification == lowest
        else classification_label(s.state.classification),
        "picture": _picture_link(s.picture) if s.picture else None,
        "state_href": record_url("level_states", s.state.key),
        "active": [
            {
                "title": i18n.localised(a.measure, "title"),
                "href": record_url("alert_measures", a.measure.key),
                "organisation": a.measure.organisation,
                "organisation_href": record_url("organisations", a.measure.organisation),
                "since": when(a.activation.since),
                "activation_href": record_url("activations", a.activation.key),
                "from_level": a.measure.from_level,
            }
            for a in s.active
        ],
        "form": None
        if not may_set
        else {
            # After a conflict the form keeps the version its author saw: sending it
            # again conflicts again, until the page is reloaded and the change seen.
            "version": values.get("version", str(s.version)),
            "scope": s.scope,
            "levels": _level_options(s.scale, values.get("level") or s.state.level),
            "markings": _marking_options(caller, values.get("classification")),
            "level_markings": _marking_options(
                caller, values.get("level_classification") or s.state.classification
            ),
            "rationale": values.get("rationale", ""),
            "summary": values.get("summary", ""),
            "problems": mine.problems if mine else [],
            "open": mine is not None,
        },
    }


def _measure_groups(scale: LevelScale, measures: tuple[AlertMeasure, ...]) -> list[dict[str, Any]]:
    """The measures agreed for ``scale``, per sector (every scope first)."""
    by_sector: dict[str | None, list[AlertMeasure]] = defaultdict(list)
    for m in measures:
        if m.scale == scale.key:
            by_sector[m.sector].append(m)
    groups = []
    for sector in sorted(by_sector, key=lambda s: (s is not None, (s or "").casefold())):
        groups.append(
            {
                "sector": sector,
                "measures": [
                    {
                        "title": i18n.localised(m, "title"),
                        "href": record_url("alert_measures", m.key),
                        "from_level": level_label(scale.level(m.from_level))
                        if any(lv.rank == m.from_level for lv in scale.levels)
                        else str(m.from_level),
                        "organisation": m.organisation,
                        "organisation_href": record_url("organisations", m.organisation),
                    }
                    for m in sorted(by_sector[sector], key=lambda m: (m.from_level, m.key))
                ],
            }
        )
    return groups


def _history(view: LevelsView) -> list[dict[str, Any]]:
    scales = level_scales()
    rows = []
    for p in view.history[:HISTORY_SHOWN]:
        spec = scales.get(p.system)
        known = spec is not None and any(lv.rank == p.level for lv in spec.levels)
        rows.append(
            {
                "picture": _picture_link(p),
                "at": when(picture_time(p.issued_on, p.effective_at)),
                "scale": i18n.localised(spec) if spec else p.system,
                "where": " / ".join(x for x in (p.sector, p.region, p.site) if x)
                or i18n.gettext("national"),
                "level": level_label(spec.level(p.level)) if spec and known else str(p.level),
                "previous": p.previous_level,
                "raised": p.previous_level is not None and p.level > p.previous_level,
            }
        )
    return rows


def _new_scope_form(
    caller: Caller, scales: list[LevelScale], view: LevelsView, refused: Refused | None
) -> dict[str, Any]:
    mine = refused if refused is not None and refused.form == NEW_SCOPE else None
    values: Mapping[str, str] = mine.values if mine else {}
    chosen_scale = values.get("scale") or (scales[0].key if len(scales) == 1 else "")
    sectors = {m.sector for m in view.measures if m.sector}
    sectors |= {s.scope.sector for s in view.scopes if s.scope.sector}
    return {
        "scales": [
            {
                "value": s.key,
                "label": i18n.gettext(SCALE_CHOICES[s.scope], scale=i18n.localised(s), key=s.key),
                "selected": s.key == chosen_scale,
            }
            for s in scales
        ],
        "level_groups": [
            {
                "scale": s,
                "options": [
                    {
                        "value": f"{s.key}:{lv.rank}",
                        "label": level_label(lv),
                        "selected": values.get("level") == f"{s.key}:{lv.rank}",
                    }
                    for lv in s.levels
                ],
            }
            for s in scales
        ],
        "sectors": sorted(sectors, key=str.casefold),
        "given": values,
        "markings": _marking_options(caller, values.get("classification")),
        "level_markings": _marking_options(caller, values.get("level_classification")),
        "problems": mine.problems if mine else [],
        "open": mine is not None,
    }


def _page(
    request: Request,
    caller: Caller,
    scale: str | None,
    *,
    refused: Refused | None = None,
    changed: str | None = None,
    status: int = 200,
) -> Response:
    if scale is not None:
        scale_of(scale)  # an unknown scale is refused, not shown as empty
    view = levels_view(database(request), subject=caller.subject, scale=scale)
    may_set = caller.subject.role.may_write("level_states")
    all_scales = list(level_scales().values())
    shown = [s for s in all_scales if scale is None or s.key == scale]
    sections = [
        {
            "scale": s,
            "scopes": [
                _scope_row(row, caller, refused, may_set)
                for row in view.scopes
                if row.scale.key == s.key
            ],
            "measure_groups": _measure_groups(s, view.measures),
        }
        for s in shown
    ]
    change = next((p for p in view.history if p.key == changed), None) if changed else None
    query = urlencode({"scale": scale} if scale else {})
    return render(
        request,
        "levels.html",
        {
            "caller": caller,
            "scale": scale,
            "scales": all_scales,
            "sections": sections,
            "history": _history(view),
            "history_total": len(view.history),
            "history_shown": HISTORY_SHOWN,
            "may_set": may_set,
            "new_scope": _new_scope_form(caller, shown, view, refused) if may_set else None,
            "refused": refused,
            "change": _picture_link(change) if change else None,
            "timeline_src": f"/levels/timeline.png{'?' + query if query else ''}",
            "has_timeline": bool(view.history),
        },
        status_code=status,
    )


@router.get("/levels")
def levels_page(request: Request, scale: str | None = None, changed: str | None = None) -> Response:
    caller = require_caller(request)
    return _page(request, caller, blank(scale), changed=blank(changed))


def _version(form: FormData) -> int:
    raw = form_text(form, "version")
    if not (raw.isascii() and raw.isdigit() and len(raw) < 10):
        raise ValidationError(
            [
                Issue(
                    "level change",
                    "version",
                    i18n.gettext("the form lacks the version it was based on"),
                )
            ],
            summary=said("level not set: reload the page"),
        )
    return int(raw)


def _level_asked(form: FormData, scale: str) -> str:
    """The level asked for. The form for a new scope names its scale beside each
    level (``atb:3``), so a level chosen under another scale is refused, not read as
    this scale's level of the same number."""
    level = form_text(form, "level")
    named, sep, rank = level.partition(":")
    if not sep:
        return level
    if named != scale:
        raise ValidationError(
            [
                Issue(
                    "level change",
                    "level",
                    i18n.gettext(
                        "the level chosen is one of the %(named)s scale, not of %(scale)s",
                        named=named,
                        scale=scale,
                    )
                    if scale
                    else i18n.gettext(
                        "the level chosen is one of the %(named)s scale, not of no scale",
                        named=named,
                    ),
                )
            ],
            summary=said("level not set"),
        )
    return rank


def _conflict(request: Request, caller: Caller, form: FormData, exc: ConflictError) -> Any:
    """What the conflict page says about the scope as it is now."""
    view = levels_view(database(request), subject=caller.subject)
    spec = level_scales().get(form_text(form, "scale"))
    scope = Scope(
        form_text(form, "scale"),
        form_text(form, "sector") or None,
        form_text(form, "region") or None,
        form_text(form, "site") or None,
    )
    now = current_level_of(view, scope)
    return {
        "message": i18n.error_text(exc),
        "where": scope_label(scope) if spec else exc.key,
        "key": exc.key,
        "level": level_label(spec.level(now.state.level)) if spec and now else None,
        "since": when(now.state.since) if now else None,
    }


@router.post("/levels/set")
def set_level_form(request: Request, form: Form, background: BackgroundTasks) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    if not caller.subject.role.may_write("level_states"):
        raise ForbiddenError(
            said("role %(role)s may not set threat levels", role=repr(caller.subject.role.key))
        )
    require_recent(caller)
    which = form_text(form, "form") or NEW_SCOPE
    shown_scale = blank(form_text(form, "shown_scale"))
    kept = {name: form_text(form, name) for name in (*KEPT_FIELDS, "version")}
    scale = form_text(form, "scale")
    try:
        change = set_level(
            context_of(request, caller),
            LevelRequest(
                scale=scale,
                level=_level_asked(form, scale),
                rationale=form_text(form, "rationale") or None,
                sector=form_text(form, "sector") or None,
                region=form_text(form, "region") or None,
                site=form_text(form, "site") or None,
                expected_version=_version(form),
                summary=form_text(form, "summary") or None,
                classification=form_text(form, "classification") or "public",
                level_classification=form_text(form, "level_classification") or None,
            ),
        )
    except ValidationError as exc:
        problems = [i18n.issue_text(i, place=False) for i in exc.issues]
        refused = Refused(which, kept, problems or [i18n.error_text(exc)])
        return _page(request, caller, _shown(shown_scale), refused=refused, status=422)
    except ConflictError as exc:
        refused = Refused(which, kept, conflict=_conflict(request, caller, form, exc))
        return _page(request, caller, _shown(shown_scale), refused=refused, status=409)
    if change.notices:
        background.add_task(deliver_soon, database(request), delivery_settings(request))
    query = {"changed": change.picture.key}
    if shown_scale:
        query["scale"] = shown_scale
    return see_other(f"/levels?{urlencode(query)}#scope-{quote(change.state.key)}")


def _shown(scale: str | None) -> str | None:
    """The page's scale filter, as long as it names a scale."""
    return scale if scale in level_scales() else None


@router.get("/levels/timeline.png")
def timeline_image(
    request: Request, scale: str | None = None, sector: str | None = None
) -> Response:
    caller = require_caller(request)
    scale, sector = blank(scale), blank(sector)
    if scale is not None:
        scale_of(scale)
    found = timelines(database(request), subject=caller.subject, scale=scale, sector=sector)
    if not found:
        raise NotFoundError("level timeline", " / ".join(x for x in (scale, sector) if x) or "any")
    # Slow to import (matplotlib): only when an image is asked for.
    from weerbaar.reports.levels_timeline import timeline_png

    image = timeline_png(found, until=dt.datetime.now(dt.UTC))
    return Response(image, media_type="image/png")
