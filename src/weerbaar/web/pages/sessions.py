"""Expert sessions: the list and the planning form, the session page (the chair's
view with the live disagreement, the expert's quick scoring form, the reader's
outcome), the chair's steps and conclusion, and the minutes.

Every route calls the sessions service as the signed-in reader, so a session outside
their need-to-know is not found, as a missing one, and the blind rule holds on every
page: the service never hands a page another expert's score the reader may not see.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from weerbaar import i18n
from weerbaar.domain.sessions import LIKELIHOOD, Confidence, SessionStatus
from weerbaar.errors import (
    DuplicateError,
    Issue,
    StepError,
    ValidationError,
    WeerbaarError,
    said,
)
from weerbaar.reports.minutes import minutes_html, minutes_markdown
from weerbaar.services import sessions
from weerbaar.services.records import list_records
from weerbaar.web.auth import Caller, database, require_caller
from weerbaar.web.context import context_of
from weerbaar.web.pages.common import Form, check_form, form_text, see_other
from weerbaar.web.pages.rounds import visible_rounds
from weerbaar.web.pages.session_views import (
    OUTCOME_INPUTS,
    SCORE_INPUTS,
    Row,
    conclusion_rows,
    disagreement_rows,
    filled,
    rows_of,
    session_page,
    shows_others,
    typed,
)
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)

NEW_FIELDS = ("key", "round", "title", "title_en", "held_on", "chair")
EXPERT_FIELDS = ("username", "weight", "email")


def _problems(exc: WeerbaarError) -> list[str]:
    if isinstance(exc, ValidationError):
        return [i18n.issue_text(issue) for issue in exc.issues]
    return [i18n.error_text(exc)]


# -- the list and a new session ----------------------------------------------------


def _list_page(
    request: Request,
    caller: Caller,
    *,
    form: dict[str, Any] | None = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> Response:
    db = database(request)
    rounds = list(reversed(visible_rounds(db, caller.subject)))
    may_chair = caller.subject.role.may("chair")
    scenarios = (
        sorted(
            list_records(db, entity_name="scenarios", subject=caller.subject),
            key=lambda s: i18n.localised(s, "title").lower(),
        )
        if may_chair
        else []
    )
    blank: dict[str, Any] = {
        "key": "",
        "round": rounds[0].key if rounds else "",
        "title": "",
        "title_en": "",
        "held_on": dt.date.today().isoformat(),
        "chair": caller.user.username,
        "scenarios": [],
    }
    return render(
        request,
        "sessions.html",
        {
            "caller": caller,
            "sessions": sessions.list_sessions(db, subject=caller.subject),
            "round_names": {r.key: i18n.localised(r) for r in rounds},
            "rounds": rounds,
            "scenarios": scenarios,
            "may_chair": may_chair,
            "form": form or blank,
            "problems": problems or [],
        },
        status_code=status,
    )


@router.get("/sessions")
def sessions_page(request: Request) -> Response:
    caller = require_caller(request)
    return _list_page(request, caller)


@router.post("/sessions")
def create(request: Request, form: Form) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    values: dict[str, Any] = {name: form_text(form, name) for name in NEW_FIELDS}
    values["scenarios"] = [s for s in form.getlist("scenarios") if isinstance(s, str) and s]
    try:
        try:
            held_on = dt.date.fromisoformat(values["held_on"])
        except ValueError:
            raise ValidationError(
                [Issue("", "held_on", said("a date like 2026-03-14"))],
                summary=said("session not saved"),
            ) from None
        created = sessions.create_session(
            context_of(request, caller),
            key=values["key"],
            round_key=values["round"],
            title=values["title"],
            title_en=values["title_en"] or None,
            held_on=held_on,
            chair=values["chair"] or None,
            scenarios=values["scenarios"],
        )
    except (ValidationError, DuplicateError, StepError) as exc:
        return _list_page(request, caller, form=values, problems=_problems(exc), status=422)
    return see_other(f"/sessions/{created.key}")


# -- the session page ----------------------------------------------------------------


def _page(
    request: Request,
    caller: Caller,
    key: str,
    *,
    problems: list[str] | None = None,
    scoring: dict[str, dict[str, str]] | None = None,
    row_problems: dict[str, list[str]] | None = None,
    expert: dict[str, str] | None = None,
    conclusion: dict[str, dict[str, str]] | None = None,
    rationale: str = "",
    status: int = 200,
) -> Response:
    db = database(request)
    page = session_page(db, caller.subject, key)
    view = page.view
    others = shows_others(page)
    current = disagreement_rows(db, caller.subject, page) if others else []
    earlier = (
        disagreement_rows(db, caller.subject, page, view.scoring_round - 1)
        if not others and page.me is not None and view.scoring_round > 1
        else []
    )
    outcome = None
    if view.status is SessionStatus.CONCLUDED:
        outcome = sessions.minutes(db, subject=caller.subject, session=key)
    conclude_rows = conclusion_rows(current) if page.is_chair else []
    return render(
        request,
        "session.html",
        {
            "caller": caller,
            "page": page,
            "view": view,
            "status_steps": _steps(view),
            "rows": rows_of(page) if page.me is not None else [],
            "scoring": scoring if scoring is not None else page.own,
            "row_problems": row_problems or {},
            "may_score": page.me is not None
            and view.status is SessionStatus.SCORING
            and not page.me.submitted,
            "confidences": [c.value for c in Confidence],
            "others": others,
            "current": current,
            "earlier": earlier,
            "live": page.is_chair
            and view.status in (SessionStatus.SCORING, SessionStatus.DISCUSSION),
            "outcome": outcome,
            "conclude_rows": conclude_rows,
            "conclusion": conclusion or {},
            "rationale": rationale,
            "expert": expert or {"username": "", "weight": "", "email": ""},
            "problems": problems or [],
            "likelihood": LIKELIHOOD,
        },
        status_code=status,
    )


def _steps(view: sessions.SessionView) -> list[tuple[str, str]]:
    """The chair's next steps from here: (target status, button text)."""
    if view.status is SessionStatus.PLANNED:
        return [("scoring", i18n.gettext("Start scoring"))]
    if view.status is SessionStatus.SCORING:
        return [("discussion", i18n.gettext("To discussion"))]
    if view.status is SessionStatus.DISCUSSION:
        return [("scoring", i18n.gettext("Open another scoring round"))]
    return []


@router.get("/sessions/{key}")
def session(request: Request, key: str) -> Response:
    caller = require_caller(request)
    return _page(request, caller, key)


@router.get("/sessions/{key}/disagreement")
def disagreement(request: Request, key: str) -> Response:
    """Only the disagreement view, for the chair's page to refresh itself with."""
    caller = require_caller(request)
    db = database(request)
    page = session_page(db, caller.subject, key)
    current = disagreement_rows(db, caller.subject, page) if shows_others(page) else []
    return render(
        request,
        "_session_disagreement.html",
        {"caller": caller, "page": page, "current": current, "likelihood": LIKELIHOOD},
    )


@router.post("/sessions/{key}/advance")
def advance(request: Request, key: str, form: Form) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    version = form_text(form, "version")
    try:
        sessions.advance(
            context_of(request, caller),
            session=key,
            to=SessionStatus(form_text(form, "to")),
            expected_version=int(version) if version.isdigit() else None,
        )
    except ValueError:
        return _page(request, caller, key, problems=[i18n.gettext("no such step")], status=422)
    except (ValidationError, StepError) as exc:
        return _page(request, caller, key, problems=_problems(exc), status=422)
    return see_other(f"/sessions/{key}")


@router.post("/sessions/{key}/participants")
def add_expert(request: Request, key: str, form: Form) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    values = {name: form_text(form, name) for name in EXPERT_FIELDS}
    try:
        try:
            weight = float(values["weight"]) if values["weight"] else None
        except ValueError:
            raise ValidationError(
                [Issue("", "weight", said("a weight is a number above 0"))],
                summary=said("session not saved"),
            ) from None
        sessions.add_participant(
            context_of(request, caller),
            session=key,
            username=values["username"],
            weight=weight,
            email=values["email"] or None,
        )
    except (ValidationError, DuplicateError, StepError) as exc:
        return _page(request, caller, key, problems=_problems(exc), expert=values, status=422)
    return see_other(f"/sessions/{key}#experts")


def _save_row(request: Request, caller: Caller, key: str, row: Row, given: dict[str, str]) -> None:
    if not given["value"]:
        raise ValidationError(
            [Issue("", "value", said("give a value, or clear the row"))],
            summary=said("score not saved"),
        )
    sessions.score(
        context_of(request, caller),
        session=key,
        scenario=row.scenario,
        criterion=row.criterion,
        value=given["value"],
        low=given["low"] or None,
        high=given["high"] or None,
        confidence=given["confidence"] or None,
        rationale=given["rationale"] or None,
    )


@router.post("/sessions/{key}/scores")
def save_scores(request: Request, key: str, form: Form) -> Response:
    """Save all: each filled row the expert changed is scored on its own; the
    problems are shown per row, with everything typed kept."""
    caller = require_caller(request)
    check_form(caller, form)
    page = session_page(database(request), caller.subject, key)
    rows = rows_of(page)
    given = typed(form, rows, SCORE_INPUTS)
    problems: dict[str, list[str]] = {}
    for row in rows:
        values = given[row.name]
        if not filled(values) or values == page.own.get(row.name):
            continue
        try:
            _save_row(request, caller, key, row, values)
        except (ValidationError, StepError) as exc:
            problems[row.name] = _problems(exc)
    if problems:
        return _page(
            request,
            caller,
            key,
            problems=[i18n.gettext("Some scores were not saved; see the rows marked.")],
            scoring=given,
            row_problems=problems,
            status=422,
        )
    return see_other(f"/sessions/{key}?saved=1#scoring")


@router.post("/sessions/{key}/submit")
def submit(request: Request, key: str, form: Form) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    try:
        sessions.submit(context_of(request, caller), session=key)
    except (ValidationError, StepError) as exc:
        return _page(request, caller, key, problems=_problems(exc), status=422)
    return see_other(f"/sessions/{key}#disagreement")


@router.post("/sessions/{key}/conclude")
def conclude(request: Request, key: str, form: Form) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    db = database(request)
    page = session_page(db, caller.subject, key)
    rows = conclusion_rows(disagreement_rows(db, caller.subject, page))
    given = typed(form, rows, OUTCOME_INPUTS)
    rationale = form_text(form, "rationale")
    outcomes: dict[tuple[str, str], sessions.Outcome] = {}
    missing = []
    for row in rows:
        values = given[row.name]
        if values["choice"] != "own":
            if values["rationale"]:
                outcomes[(row.scenario, row.criterion)] = sessions.Outcome(
                    rationale=values["rationale"]
                )
            continue
        if not values["value"]:
            missing.append(said("%(criterion)s: give the outcome's value", criterion=row.label))
            continue
        outcomes[(row.scenario, row.criterion)] = sessions.Outcome(
            value=values["value"],
            low=values["low"] or None,
            high=values["high"] or None,
            rationale=values["rationale"] or None,
        )
    try:
        if missing:
            problems = [i18n.translated(text) for text in missing]
        else:
            sessions.conclude(
                context_of(request, caller), session=key, rationale=rationale, outcomes=outcomes
            )
            problems = []
    except (ValidationError, StepError) as exc:
        problems = _problems(exc)
    if problems:
        return _page(
            request,
            caller,
            key,
            problems=problems,
            conclusion=given,
            rationale=rationale,
            status=422,
        )
    return see_other(f"/sessions/{key}#outcome")


# -- the minutes ---------------------------------------------------------------------


@router.get("/sessions/{key}/minutes")
def minutes_page(request: Request, key: str) -> Response:
    caller = require_caller(request)
    found = sessions.minutes(database(request), subject=caller.subject, session=key)
    return HTMLResponse(minutes_html(found))


@router.get("/sessions/{key}/minutes.md")
def minutes_text(request: Request, key: str) -> Response:
    caller = require_caller(request)
    found = sessions.minutes(database(request), subject=caller.subject, session=key)
    return Response(minutes_markdown(found), media_type="text/markdown; charset=utf-8")
