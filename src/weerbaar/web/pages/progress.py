"""The progress page (voortgang): milestones late, due, done and later; each
concretisation record with its status and whether it is concretised yet; and what
changed since a date — per ministry and theme, as far as the reader may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from weerbaar import i18n
from weerbaar.domain.progress import MilestoneProgress, MilestoneState
from weerbaar.domain.register import entity
from weerbaar.services.progress import DEFAULT_SINCE_DAYS, ProgressView, progress
from weerbaar.web.auth import database, require_caller
from weerbaar.web.pages.common import record_url
from weerbaar.web.pages.portfolio import filter_query, ministry_choices, visible_themes
from weerbaar.web.query import blank
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)

# In the order people act on them: what is late first.
SECTIONS: tuple[tuple[MilestoneState, str, str], ...] = (
    (MilestoneState.LATE, i18n.N_("Late"), "te laat"),
    (MilestoneState.DUE, i18n.N_("Due within %(horizon)s days"), "binnenkort"),
    (MilestoneState.DONE, i18n.N_("Done"), "gereed"),
    (MilestoneState.LATER, i18n.N_("Due later"), "later"),
)
# The heads of the columns that count a record's milestones per state.
STATE_NAMES: dict[MilestoneState, str] = {
    MilestoneState.DONE: i18n.N_("Done"),
    MilestoneState.LATE: i18n.N_("Late"),
    MilestoneState.DUE: i18n.N_("Due"),
    MilestoneState.LATER: i18n.N_("Later"),
}


def _milestone(view: ProgressView, item: MilestoneProgress) -> dict[str, Any]:
    m = item.milestone
    if m.measure:
        parent_href = record_url("measures", m.measure)
    elif m.concretisation:
        parent_href = record_url("concretisations", m.concretisation)
    else:
        parent_href = None
    return {
        "key": m.key,
        "title": i18n.localised(m, "title"),
        "href": record_url("milestones", m.key),
        "due_on": m.due_on,
        "done_on": m.done_on,
        "state": str(item.state),
        "parent": item.owner.parent,
        "parent_href": parent_href,
        "ministry": view.label(item.owner.ministry),
        "themes": [view.theme_name(t) for t in item.owner.themes],
    }


def _since(text: str | None) -> tuple[dt.date | None, str | None]:
    """The date asked for, or None and what was wrong with it."""
    text = blank(text)
    if text is None:
        return None, None
    try:
        return dt.date.fromisoformat(text), None
    except ValueError:
        return None, i18n.gettext(
            "“%(text)s” is not a date (YYYY-MM-DD); showing the default period.", text=text
        )


@router.get("/progress")
def progress_page(
    request: Request,
    ministry: str | None = None,
    theme: str | None = None,
    since: str | None = None,
) -> Response:
    caller = require_caller(request)
    db = database(request)
    since_day, problem = _since(since)
    view = progress(
        db, ministry=blank(ministry), theme=blank(theme), since=since_day, subject=caller.subject
    )
    report = view.report
    sections = [
        {
            "state": str(state),
            "title": i18n.gettext(title, horizon=report.horizon_days),
            "nl": nl,
            "found": [_milestone(view, m) for m in report.in_state(state)],
        }
        for state, title, nl in SECTIONS
    ]
    records = [
        {
            "key": c.record.key,
            "href": record_url("concretisations", c.record.key),
            "theme": view.theme_name(c.record.theme),
            "ministry": view.label(c.record.ministry),
            "status": str(c.record.status).replace("_", " "),
            "not_yet": c.not_yet_concretised,
            "measures": len(c.record.measures),
            "milestones": [c.milestones[s] for s in MilestoneState],
        }
        for c in report.concretisations
    ]
    changes = report.changes
    return render(
        request,
        "progress.html",
        {
            "caller": caller,
            "view": view,
            "report": report,
            "sections": sections,
            "records": records,
            "states": [i18n.gettext(STATE_NAMES[s]) for s in MilestoneState],
            "done": [_milestone(view, m) for m in changes.done],
            "became_late": [_milestone(view, m) for m in changes.became_late],
            "status": [
                {
                    "what": entity(c.entity).singular,
                    "label": c.label,
                    "href": record_url(c.entity, c.key),
                    "on": c.at[:10],
                    "actor": c.actor,
                    "before": c.before.replace("_", " "),
                    "after": c.after.replace("_", " "),
                }
                for c in changes.status
            ],
            "themes": visible_themes(db, caller.subject),
            "ministries": ministry_choices(view),
            "since": changes.since.isoformat(),
            "since_default": DEFAULT_SINCE_DAYS,
            "problem": problem,
            "query": filter_query(ministry=view.ministry, theme=view.theme),
        },
        status_code=422 if problem else 200,
    )
