"""The tier page: per theme the tier the rules propose, with every reason, beside the
current tier and the cycle's decision; coordinators record a decision from here."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from weerbaar import i18n
from weerbaar.domain.enums import Tier
from weerbaar.errors import ValidationError
from weerbaar.services.tier_decisions import decide_tier
from weerbaar.services.tier_proposals import TierReport, propose_tiers
from weerbaar.web.auth import Caller, database, require_caller
from weerbaar.web.context import context_of, require_write
from weerbaar.web.pages.common import (
    Form,
    check_form,
    form_text,
    record_url,
    see_other,
)
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)


def _rows(report: TierReport) -> list[dict[str, Any]]:
    rows = []
    for proposal in report.proposals:
        theme = report.themes[proposal.theme]
        decision = report.decisions.get(proposal.theme)
        rows.append(
            {
                "theme": theme,
                "href": record_url("themes", theme.key),
                "proposal": proposal,
                "changes": proposal.tier is not theme.tier,
                "decision": decision,
                "decision_href": record_url("decisions", decision.key) if decision else None,
                "against": decision is not None and decision.tier is not proposal.tier,
            }
        )
    return rows


def _page(
    request: Request,
    caller: Caller,
    report: TierReport,
    *,
    problems: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "tiers.html",
        {
            "caller": caller,
            "report": report,
            "rows": _rows(report),
            "tiers": list(Tier),
            "may_decide": caller.subject.role.may_write("decisions"),
            "problems": problems or {},
        },
        status_code=status,
    )


@router.get("/tiers")
def tiers_page(request: Request, cycle: str | None = None) -> Response:
    caller = require_caller(request)
    report = propose_tiers(database(request), cycle=cycle, subject=caller.subject)
    return _page(request, caller, report)


@router.post("/tiers/decide")
def decide(request: Request, form: Form) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    require_write(caller, "decisions")
    theme = form_text(form, "theme")
    try:
        saved = decide_tier(
            context_of(request, caller),
            theme=theme,
            tier=form_text(form, "tier"),
            rationale=form_text(form, "rationale"),
            decided_by=form_text(form, "decided_by") or caller.user.display_name,
            cycle=form_text(form, "cycle") or None,
            lead=form_text(form, "lead") or None,
            deviation=form_text(form, "deviation") or None,
        )
    except ValidationError as exc:
        report = propose_tiers(
            database(request), cycle=form_text(form, "cycle") or None, subject=caller.subject
        )
        problems = {theme: [f"{i.field}: {i18n.translated(i.reason)}" for i in exc.issues]}
        return _page(request, caller, report, problems=problems, status=422)
    return see_other(record_url("decisions", saved.record.key))
