"""The alerts page: the alerts the reader may see with their evidence and the
scenarios to reassess; for those who may write alerts, detection on demand and per
alert a form to flag its scenarios for a round or to dismiss it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from weerbaar import i18n
from weerbaar.domain.entities.signals import Alert
from weerbaar.domain.enums import AlertStatus
from weerbaar.errors import ValidationError
from weerbaar.services.horizon import detect_alerts, flag_alert
from weerbaar.services.records import list_records
from weerbaar.services.signal_views import visible_alerts, visible_signals
from weerbaar.web.auth import Caller, database, require_caller
from weerbaar.web.context import context_of, require_write
from weerbaar.web.limits import MAX_SCENARIOS, NOTE_LENGTH
from weerbaar.web.pages.common import (
    Form,
    check_form,
    form_text,
    record_url,
    see_other,
)
from weerbaar.web.pages.rounds import visible_rounds
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)

EVIDENCE_SHOWN = 10
STATUSES = [s.value for s in AlertStatus]


@dataclass(slots=True)
class Outcome:
    raised: list[Alert] | None = None  # after "detect now"
    errors: dict[str, list[str]] = field(default_factory=dict)  # by alert key
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # by alert key


def _alert_rows(
    request: Request, caller: Caller, alerts: list[Alert], outcome: Outcome
) -> list[dict[str, Any]]:
    db = database(request)
    signals = {s.key: s for s in visible_signals(db, caller.subject)}
    scenarios = {
        s.key: i18n.localised(s, "title")
        for s in list_records(db, entity_name="scenarios", subject=caller.subject)
    }
    rows = []
    for a in alerts:
        evidence = [signals[k] for k in a.signals if k in signals]
        given = outcome.values.get(a.key, {})
        chosen = set(given.get("scenarios", a.scenarios))
        rows.append(
            {
                "key": a.key,
                "href": record_url("alerts", a.key),
                "title": a.title,
                "kind": str(a.kind),
                "since": a.since.isoformat(),
                "detected_on": a.detected_on.isoformat(),
                "status": str(a.status),
                "round": a.round,
                "round_href": record_url("rounds", a.round) if a.round else None,
                "note": a.note,
                "evidence": [
                    {
                        "title": s.title,
                        "language": str(s.language),
                        "href": record_url("signals", s.key),
                        "date": s.published_on,
                    }
                    for s in evidence[:EVIDENCE_SHOWN]
                ],
                "more": max(0, len(evidence) - EVIDENCE_SHOWN),
                "scenarios": [
                    {"key": k, "title": scenarios[k], "href": record_url("scenarios", k)}
                    for k in a.scenarios
                    if k in scenarios
                ],
                "scenario_options": [
                    {"value": k, "label": title, "selected": k in chosen}
                    for k, title in sorted(scenarios.items(), key=lambda i: i[1].casefold())
                ],
                "chosen_round": given.get("round") or a.round,
                "chosen_note": given.get("note", a.note or ""),
                "errors": outcome.errors.get(a.key, []),
            }
        )
    return rows


def alerts_page(
    request: Request,
    caller: Caller,
    *,
    status: str = "",
    outcome: Outcome | None = None,
    code: int = 200,
) -> Response:
    outcome = outcome or Outcome()
    db = database(request)
    filter_error = None
    if status and status not in STATUSES:
        filter_error = i18n.gettext("choose one of %(choices)s", choices=", ".join(STATUSES))
        status = ""
        code = 422
    alerts = visible_alerts(db, caller.subject, status or None)
    may_write = caller.subject.role.may_write("alerts")
    rounds = visible_rounds(db, caller.subject) if may_write else []
    return render(
        request,
        "signals_alerts.html",
        {
            "caller": caller,
            "status": status,
            "statuses": STATUSES,
            "filter_error": filter_error,
            "alerts": _alert_rows(request, caller, alerts, outcome),
            "may_write": may_write,
            "rounds": [
                {"value": r.key, "label": f"{i18n.localised(r)} ({r.key})"}
                for r in reversed(rounds)
            ],
            "raised": None
            if outcome.raised is None
            else [
                {"key": a.key, "title": a.title, "kind": str(a.kind), "href": f"#alert-{a.key}"}
                for a in outcome.raised
            ],
            "note_length": NOTE_LENGTH,
        },
        status_code=code,
    )


@router.get("/signals/alerts")
def alerts_list(request: Request, status: str = "") -> Response:
    caller = require_caller(request)
    return alerts_page(request, caller, status=status.strip())


@router.post("/signals/alerts/detect")
def detect_form(request: Request, form: Form) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    # A detection that raises nothing writes nothing: the service alone would not refuse.
    require_write(caller, "alerts")
    raised = [v.record for v in detect_alerts(context_of(request, caller))]
    return alerts_page(request, caller, outcome=Outcome(raised=raised))


def _issues(exc: ValidationError) -> list[str]:
    return [i18n.issue_text(i, place=False) for i in exc.issues] or [i18n.error_text(exc)]


@router.post("/signals/alerts/{key}/flag")
def flag_form(request: Request, key: str, form: Form) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    require_write(caller, "alerts")
    round_key = form_text(form, "round")
    scenarios = [v.strip() for v in form.getlist("scenarios") if isinstance(v, str) and v.strip()]
    note = form_text(form, "note")
    outcome = Outcome(values={key: {"round": round_key, "scenarios": scenarios, "note": note}})
    if not round_key:
        outcome.errors[key] = [i18n.gettext("choose a round")]
    elif len(scenarios) > MAX_SCENARIOS:
        outcome.errors[key] = [i18n.gettext("at most %(count)s scenarios", count=MAX_SCENARIOS)]
    elif len(note) > NOTE_LENGTH:
        outcome.errors[key] = [
            i18n.gettext("a note of at most %(count)s characters", count=NOTE_LENGTH)
        ]
    else:
        try:
            flag_alert(
                context_of(request, caller),
                key,
                round_key=round_key,
                scenarios=scenarios,
                note=note or None,
            )
        except ValidationError as exc:
            outcome.errors[key] = _issues(exc)
        else:
            return see_other(f"/signals/alerts#alert-{key}")
    return alerts_page(request, caller, outcome=outcome, code=422)


@router.post("/signals/alerts/{key}/dismiss")
def dismiss_form(request: Request, key: str, form: Form) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    require_write(caller, "alerts")
    note = form_text(form, "note")
    outcome = Outcome(values={key: {"note": note}})
    if len(note) > NOTE_LENGTH:
        outcome.errors[key] = [
            i18n.gettext("a note of at most %(count)s characters", count=NOTE_LENGTH)
        ]
    else:
        try:
            flag_alert(
                context_of(request, caller), key, round_key=None, dismiss=True, note=note or None
            )
        except ValidationError as exc:
            outcome.errors[key] = _issues(exc)
        else:
            return see_other(f"/signals/alerts#alert-{key}")
    return alerts_page(request, caller, outcome=outcome, code=422)
