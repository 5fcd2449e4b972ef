"""The summary for citizens as it is handed out: the model of the API's
``/public-summary``, of the page ``/public.json`` and of ``weerbaar report public
--format json``.

Like the register's own records it holds both languages, whoever asks and in whatever
language: a text in Dutch, and its English beside it in a field named ``…_en``."""

from __future__ import annotations

from pydantic import BaseModel, Field

from weerbaar.reference.public import Advice
from weerbaar.services.public_summary import (
    PublicMeasure,
    PublicOrganisation,
    PublicSummary,
    PublicTheme,
)


class PublicMeasureOut(BaseModel):
    key: str
    title: str
    title_en: str | None
    owner: str = Field(description="the owning organisation's official (Dutch) name")
    owner_en: str | None = Field(description="its English name")
    status: str
    civil_society: list[str] = Field(description="partners from civil society, by name")
    civil_society_en: list[str] = Field(
        description="the same partners by English name (else by name)"
    )


class PublicRiskOut(BaseModel):
    key: str
    title: str
    title_en: str | None
    kind: str


class PublicThemeOut(BaseModel):
    key: str
    name: str = Field(description="Dutch name")
    name_en: str | None
    approach: str | None
    approach_en: str | None
    risks: list[PublicRiskOut]
    measures: list[PublicMeasureOut]
    advice: list[str] = Field(description="what you can do yourself, in Dutch")
    advice_en: list[str] = Field(description="the same advice in English")


class PublicTierOut(BaseModel):
    tier: str
    label: str
    themes: list[PublicThemeOut]


class PublicSummaryAnswer(BaseModel):
    tiers: list[PublicTierOut]
    self_help_measures: list[PublicMeasureOut]
    advice: list[str] = Field(description="what you can do yourself for every risk, in Dutch")
    advice_en: list[str] = Field(description="the same advice in English")
    advice_source: str = Field(description="where the advice comes from, in Dutch")
    advice_source_en: str


def _english_name(organisation: PublicOrganisation) -> str:
    return organisation.name_en or organisation.name


def _public_measure(m: PublicMeasure) -> PublicMeasureOut:
    return PublicMeasureOut(
        key=m.key,
        title=m.title,
        title_en=m.title_en,
        owner=m.owner.name,
        owner_en=m.owner.name_en,
        status=m.status,
        civil_society=[o.name for o in m.civil_society],
        civil_society_en=[_english_name(o) for o in m.civil_society],
    )


def _dutch(advice: tuple[Advice, ...]) -> list[str]:
    return [a.text for a in advice]


def _english(advice: tuple[Advice, ...]) -> list[str]:
    return [a.text_en for a in advice]


def _public_theme(t: PublicTheme) -> PublicThemeOut:
    return PublicThemeOut(
        key=t.key,
        name=t.name,
        name_en=t.name_en,
        approach=t.approach,
        approach_en=t.approach_en,
        risks=[
            PublicRiskOut(key=r.key, title=r.title, title_en=r.title_en, kind=r.kind)
            for r in t.risks
        ],
        measures=[_public_measure(m) for m in t.measures],
        advice=_dutch(t.advice),
        advice_en=_english(t.advice),
    )


def public_answer(summary: PublicSummary) -> PublicSummaryAnswer:
    return PublicSummaryAnswer(
        tiers=[
            PublicTierOut(tier=t.tier, label=t.label, themes=[_public_theme(x) for x in t.themes])
            for t in summary.tiers
        ],
        self_help_measures=[_public_measure(m) for m in summary.self_help_measures],
        advice=_dutch(summary.advice),
        advice_en=_english(summary.advice),
        advice_source=summary.advice_source,
        advice_source_en=summary.advice_source_en,
    )
