"""Tier proposals as they are handed out: the model of the API's ``/tiers`` and of
``weerbaar tiers propose --format json``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, Field

from weerbaar.domain.enums import Tier
from weerbaar.domain.tier_counterfactuals import Counterfactual
from weerbaar.domain.tiering import TIER_ORDER, Proposal, RuleSet, ThemeEvidence
from weerbaar.services.tier_proposals import RoundProposals, TierReport

HEAVIEST_FIRST: tuple[Tier, ...] = tuple(reversed(TIER_ORDER))


class Band(BaseModel):
    """A risk metric over the Monte Carlo draws."""

    median: float
    p5: float
    p95: float


class Evidence(BaseModel):
    impact_class: Band | None = Field(description="highest impact class position, A=1 … E=5")
    likelihood_class: Band | None = Field(description="highest likelihood class position")
    risk_class: Band | None = Field(description="highest impact + likelihood position")
    risk_trend: Band | None = Field(description="change of the top risk, orders of magnitude")
    threat_level: str | None = Field(description="newest threat picture: system, level, name")
    threat_level_raised: int | None = Field(description="steps its newest picture raised it")
    capability_gap: float | None = Field(description="share of needed capabilities short")
    largest_gap: int | None = Field(description="largest shortfall, in scale steps")
    gaps_open: int | None = Field(description="shortfalls no measure is closing")
    measures: int
    measures_stalled: float | None = Field(description="share stopped or late")
    chain_links: int = Field(description="links of the security chain its measures cover")
    lead: int = Field(description="1 when it has a lead ministry")
    partners: int = Field(description="organisations besides the lead in its measures")
    signals_growing: int = Field(description="1 when its signals grow")
    scenarios: int


class WhatIf(BaseModel):
    """One piece of evidence changed, and the proposal that would give."""

    metric: str
    before: float | str | None = Field(description="for the risk: the median over the draws")
    after: float | str
    tier: Tier
    text: str


class TierDecision(BaseModel):
    key: str
    tier: Tier
    rationale: str
    rationale_en: str | None
    deviation: str | None = Field(description="why it differs from the proposal")
    decided_on: dt.date
    decided_by: str


class RoundTier(BaseModel):
    round: str
    tier: Tier
    certainty: float = Field(ge=0, le=1)


class ThemeTier(BaseModel):
    theme: str
    name: str
    current_tier: Tier
    proposed_tier: Tier = Field(description="the median tier over the draws")
    certainty: float = Field(ge=0, le=1, description="share of draws giving the proposed tier")
    shares: dict[Tier, float] = Field(description="share of draws per tier; sums to 1")
    draws: int
    straddles: list[str] = Field(description="risk conditions the scenarios' bands lie across")
    rule: str | None = Field(description="the rule that held; null: the default tier")
    rule_reason: str | None = Field(description="that rule's reason; null for the default")
    reasons: list[str] = Field(description="every rule's conditions, met or not")
    counterfactuals: list[WhatIf] = Field(description="the smallest changes that flip it")
    evidence: Evidence
    decision: TierDecision | None = Field(description="the cycle's newest decision on it")
    against_proposal: bool
    history: list[RoundTier] | None = Field(
        None, description="the proposal on each round's assessment, oldest first, if asked"
    )


class TierProposals(BaseModel):
    cycle: str
    rules: str = Field(description="the rule set applied")
    rules_from_cycle: bool
    round: str | None
    previous_round: str | None
    draws: int
    seed: int
    counts: dict[Tier, int] = Field(description="themes per proposed tier")
    agreeing: int = Field(description="themes whose decision is the proposed tier")
    decided: int = Field(description="themes with a decision in the cycle")
    themes: list[ThemeTier]


def rule_reason(rule_set: RuleSet, proposal: Proposal) -> str | None:
    """The reason of the rule that gave the proposal; None for the default tier."""
    return next((r.reason for r in rule_set.rules if r.key == proposal.rule), None)


def _band(values: NDArray[np.float64] | None) -> Band | None:
    if values is None:
        return None
    p5, median, p95 = (float(v) for v in np.percentile(values, [5, 50, 95]))
    return Band(median=median, p5=p5, p95=p95)


def _evidence(e: ThemeEvidence) -> Evidence:
    level = e.threat_level
    return Evidence(
        impact_class=_band(e.impact_class),
        likelihood_class=_band(e.likelihood_class),
        risk_class=_band(e.risk_class),
        risk_trend=_band(e.risk_trend),
        threat_level=f"{level.system} {level.level} {level.name_en}" if level else None,
        threat_level_raised=e.threat_level_raised,
        capability_gap=e.capability_gap,
        largest_gap=e.largest_gap,
        gaps_open=e.gaps_open,
        measures=e.measures,
        measures_stalled=e.measures_stalled,
        chain_links=e.chain_links,
        lead=e.lead,
        partners=e.partners,
        signals_growing=e.signals_growing,
        scenarios=e.scenarios,
    )


def _what_if(c: Counterfactual) -> WhatIf:
    return WhatIf(metric=c.metric, before=c.before, after=c.after, tier=c.tier, text=c.text)


def _history(theme: str, history: Sequence[RoundProposals]) -> list[RoundTier]:
    out = []
    for each in history:
        found = each.proposals.get(theme)
        if found is not None:
            out.append(RoundTier(round=each.round.key, tier=found.tier, certainty=found.certainty))
    return out


def tiers_answer(
    report: TierReport, history: Sequence[RoundProposals] | None = None
) -> TierProposals:
    evidence = {e.theme: e for e in report.evidence}
    out = []
    for p in report.proposals:
        theme = report.themes[p.theme]
        decision = report.decisions.get(p.theme)
        out.append(
            ThemeTier(
                theme=p.theme,
                name=theme.name_en,
                current_tier=theme.tier,
                proposed_tier=p.tier,
                certainty=p.certainty,
                shares=dict(p.shares),
                draws=p.draws,
                straddles=list(p.straddles),
                rule=p.rule,
                rule_reason=rule_reason(report.rule_set, p),
                reasons=list(p.reasons),
                counterfactuals=[_what_if(c) for c in report.counterfactuals.get(p.theme, ())],
                evidence=_evidence(evidence[p.theme]),
                decision=(
                    TierDecision(
                        key=decision.key,
                        tier=decision.tier,
                        rationale=decision.rationale,
                        rationale_en=decision.rationale_en,
                        deviation=decision.deviation,
                        decided_on=decision.decided_on,
                        decided_by=decision.decided_by,
                    )
                    if decision
                    else None
                ),
                against_proposal=decision is not None and decision.tier is not p.tier,
                history=_history(p.theme, history) if history is not None else None,
            )
        )
    return TierProposals(
        cycle=report.cycle.key,
        rules=report.rule_set.key,
        rules_from_cycle=report.rules_from_cycle,
        round=report.round.key if report.round else None,
        previous_round=report.previous_round.key if report.previous_round else None,
        draws=report.draws,
        seed=report.seed,
        counts={t: sum(1 for p in report.proposals if p.tier is t) for t in HEAVIEST_FIRST},
        agreeing=sum(1 for t in out if t.decision and t.decision.tier is t.proposed_tier),
        decided=sum(1 for t in out if t.decision),
        themes=out,
    )
