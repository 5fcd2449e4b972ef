"""The summary for citizens as it is handed out: the model of the API's
``/public-summary``, of the page ``/public.json`` and of ``weerbaar report public
--format json``."""

from __future__ import annotations

from pydantic import BaseModel, Field

from weerbaar.services.public_summary import PublicMeasure, PublicSummary, PublicTheme


class PublicMeasureOut(BaseModel):
    key: str
    title: str
    owner: str
    status: str
    civil_society: list[str] = Field(description="partners from civil society")


class PublicRiskOut(BaseModel):
    key: str
    title: str
    kind: str


class PublicThemeOut(BaseModel):
    key: str
    name: str = Field(description="Dutch name")
    name_en: str
    approach: str | None
    risks: list[PublicRiskOut]
    measures: list[PublicMeasureOut]
    advice: list[str] = Field(description="what you can do yourself")


class PublicTierOut(BaseModel):
    tier: str
    label: str
    themes: list[PublicThemeOut]


class PublicSummaryAnswer(BaseModel):
    tiers: list[PublicTierOut]
    self_help_measures: list[PublicMeasureOut]
    advice: list[str]
    advice_source: str


def _public_measure(m: PublicMeasure) -> PublicMeasureOut:
    return PublicMeasureOut(
        key=m.key,
        title=m.title,
        owner=m.owner,
        status=m.status,
        civil_society=list(m.civil_society),
    )


def _public_theme(t: PublicTheme) -> PublicThemeOut:
    return PublicThemeOut(
        key=t.key,
        name=t.name,
        name_en=t.name_en,
        approach=t.approach,
        risks=[PublicRiskOut(key=r.key, title=r.title, kind=r.kind) for r in t.risks],
        measures=[_public_measure(m) for m in t.measures],
        advice=list(t.advice),
    )


def public_answer(summary: PublicSummary) -> PublicSummaryAnswer:
    return PublicSummaryAnswer(
        tiers=[
            PublicTierOut(tier=t.tier, label=t.label, themes=[_public_theme(x) for x in t.themes])
            for t in summary.tiers
        ],
        self_help_measures=[_public_measure(m) for m in summary.self_help_measures],
        advice=list(summary.advice),
        advice_source=summary.advice_source,
    )
