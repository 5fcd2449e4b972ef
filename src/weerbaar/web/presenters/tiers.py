"""Tier proposals as they are handed out: the model of the API's ``/tiers`` and of
``weerbaar tiers propose --format json``."""

from __future__ import annotations

from pydantic import BaseModel, Field

from weerbaar.domain.enums import Tier
from weerbaar.services.tier_proposals import TierReport


class Evidence(BaseModel):
    risk_quantile: float | None = Field(description="highest percentile rank by risk, 0–1")
    risk_trend: float | None = Field(description="change of the top risk, orders of magnitude")
    threat_level: str | None = Field(description="newest threat picture: system, level, name")
    capability_gap: float | None = Field(description="share of needed capabilities short")
    largest_gap: int | None = Field(description="largest shortfall, in scale steps")
    measures: int
    measures_stalled: float | None = Field(description="share stopped or late")
    scenarios: int


class ThemeTier(BaseModel):
    theme: str
    name: str
    current_tier: Tier
    proposed_tier: Tier
    rule: str | None = Field(description="the rule that held; null: the default tier")
    reasons: list[str] = Field(description="every rule's conditions, met or not")
    evidence: Evidence
    decision: str | None = Field(description="the cycle's newest decision on the theme")
    decided_tier: Tier | None
    against_proposal: bool


class TierProposals(BaseModel):
    cycle: str
    rules: str = Field(description="the rule set applied")
    rules_from_cycle: bool
    round: str | None
    previous_round: str | None
    themes: list[ThemeTier]


def tiers_answer(report: TierReport) -> TierProposals:
    evidence = {e.theme: e for e in report.evidence}
    out = []
    for p in report.proposals:
        theme = report.themes[p.theme]
        e = evidence[p.theme]
        decision = report.decisions.get(p.theme)
        level = e.threat_level
        out.append(
            ThemeTier(
                theme=p.theme,
                name=theme.name_en,
                current_tier=theme.tier,
                proposed_tier=p.tier,
                rule=p.rule,
                reasons=list(p.reasons),
                evidence=Evidence(
                    risk_quantile=e.risk_quantile,
                    risk_trend=e.risk_trend,
                    threat_level=f"{level.system} {level.level} {level.name_en}" if level else None,
                    capability_gap=e.capability_gap,
                    largest_gap=e.largest_gap,
                    measures=e.measures,
                    measures_stalled=e.measures_stalled,
                    scenarios=e.scenarios,
                ),
                decision=decision.key if decision else None,
                decided_tier=decision.tier if decision else None,
                against_proposal=decision is not None and decision.tier is not p.tier,
            )
        )
    return TierProposals(
        cycle=report.cycle.key,
        rules=report.rule_set.key,
        rules_from_cycle=report.rules_from_cycle,
        round=report.round.key if report.round else None,
        previous_round=report.previous_round.key if report.previous_round else None,
        themes=out,
    )
