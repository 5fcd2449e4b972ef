"""The tier page: per theme the tier the rules propose over the draws of the risk, how
sure that is and what would change it, beside the current tier and the cycle's
decision; how the proposals moved over the rounds; coordinators record a decision
from here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from weerbaar import i18n
from weerbaar.domain.entities.strategy import Decision, Round, Theme
from weerbaar.domain.enums import Tier
from weerbaar.domain.tier_conditions import RISK_METRICS
from weerbaar.domain.tier_counterfactuals import Counterfactual
from weerbaar.domain.tiering import Proposal, percent
from weerbaar.errors import ValidationError
from weerbaar.services.tier_decisions import decide_tier
from weerbaar.services.tier_proposals import (
    RoundProposals,
    TierReport,
    proposal_history,
    propose_tiers,
)
from weerbaar.web.auth import Caller, database, require_caller
from weerbaar.web.context import context_of, require_write
from weerbaar.web.kept_views import kept_view
from weerbaar.web.pages.common import (
    Form,
    check_form,
    form_text,
    record_url,
    see_other,
)
from weerbaar.web.presenters.tiers import HEAVIEST_FIRST, rule_reason
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class WhatIf:
    """A counterfactual with its values written for the reader."""

    tier: Tier
    metric: str
    before: str | None
    after: str
    risk: bool  # every draw of the risk moved alike; ``before`` is their median


@dataclass(frozen=True, slots=True)
class Row:
    theme: Theme
    href: str
    proposal: Proposal
    changes: bool
    shares: list[tuple[Tier, str]]  # the proposed tier first, then by share
    rule_reason: str | None
    what_ifs: list[WhatIf]
    decision: Decision | None
    decision_href: str | None
    against: bool


@dataclass(frozen=True, slots=True)
class Moved:
    """One theme's proposal on each round, oldest first; None where it had none."""

    theme: Theme
    tiers: list[tuple[Tier, str] | None]
    moved: bool


def _value(value: float | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return i18n.translated(value)
    if float(value).is_integer():
        return i18n.format_number(int(value))
    # Class positions and shares: two decimals say all the rules can tell apart.
    return i18n.format_number(round(value, 2))


def _what_if(c: Counterfactual) -> WhatIf:
    after = _value(c.after)
    assert after is not None
    return WhatIf(c.tier, c.metric, _value(c.before), after, c.metric in RISK_METRICS)


def _shares(proposal: Proposal) -> list[tuple[Tier, str]]:
    # Led by the proposed tier: with three tiers the median need not be the commonest.
    others = sorted(
        (t for t in proposal.shares if t is not proposal.tier), key=lambda t: -proposal.shares[t]
    )
    return [(t, percent(proposal.shares.get(t, 0.0))) for t in (proposal.tier, *others)]


def _rows(report: TierReport) -> list[Row]:
    rows = []
    for proposal in report.proposals:
        theme = report.themes[proposal.theme]
        decision = report.decisions.get(proposal.theme)
        rows.append(
            Row(
                theme=theme,
                href=record_url("themes", theme.key),
                proposal=proposal,
                changes=proposal.tier is not theme.tier,
                shares=_shares(proposal),
                rule_reason=rule_reason(report.rule_set, proposal),
                what_ifs=[_what_if(c) for c in report.counterfactuals.get(proposal.theme, ())],
                decision=decision,
                decision_href=record_url("decisions", decision.key) if decision else None,
                against=decision is not None and decision.tier is not proposal.tier,
            )
        )
    return rows


def _moved(report: TierReport, history: Sequence[RoundProposals]) -> list[Moved]:
    out = []
    for proposal in report.proposals:
        tiers: list[tuple[Tier, str] | None] = []
        for each in history:
            found = each.proposals.get(proposal.theme)
            tiers.append((found.tier, percent(found.certainty)) if found else None)
        seen = {t[0] for t in tiers if t is not None}
        out.append(Moved(report.themes[proposal.theme], tiers, len(seen) > 1))
    return out


def _page(
    request: Request,
    caller: Caller,
    report: TierReport,
    *,
    problems: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Response:
    history = proposal_history(database(request), report, subject=caller.subject)
    rounds: list[Round] = [each.round for each in history]
    rows = _rows(report)
    return render(
        request,
        "tiers.html",
        {
            "caller": caller,
            "report": report,
            "rows": rows,
            "counts": [(t, sum(1 for r in rows if r.proposal.tier is t)) for t in HEAVIEST_FIRST],
            "decided": sum(1 for r in rows if r.decision),
            "agreeing": sum(1 for r in rows if r.decision and not r.against),
            "rounds": rounds,
            "moved": _moved(report, history),
            "tiers": list(Tier),
            "may_decide": caller.subject.role.may_write("decisions"),
            "problems": problems or {},
        },
        status_code=status,
    )


@router.get("/tiers")
def tiers_page(request: Request, cycle: str | None = None) -> Response:
    caller = require_caller(request)

    def build() -> Response:
        report = propose_tiers(database(request), cycle=cycle, subject=caller.subject)
        return _page(request, caller, report)

    return kept_view(request, caller, build)


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
