"""A cascade run and the criticality ranking as they are handed out: the models of the
API's ``/infrastructure/cascades`` and ``/infrastructure/ranking``, and of ``weerbaar
cascade run`` and ``weerbaar cascade rank`` with ``--format json``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from weerbaar.services.infrastructure.ranking import Ranked
from weerbaar.services.infrastructure.runs import CascadeReport

By = Literal["people_hours", "taken_down", "cost"]


class Start(BaseModel):
    process: str
    hours: float
    at: float


class Summary(BaseModel):
    starts: list[Start]
    edition: str
    min_strength: float
    affected: int
    taken_down: int = Field(description="processes down through the cascade, not the starts")
    people_hours: float
    cost: float
    end: float | None = Field(description="the hour the last process recovers")
    members: int
    seed: int | None = Field(description="pass it back to repeat the run exactly")


class AffectedOut(BaseModel):
    process: str
    name: str
    sector: str
    region: str | None
    fails_at: float
    recovers_at: float
    hours: float
    people: float
    person_hours: float
    cost: float
    cause: str | None = Field(description="the supplier whose loss took it down; null: a start")
    fail_probability: float | None = Field(description="share of the members, with members")
    mean_hours: float | None


class ImpactOut(BaseModel):
    code: str
    name: str
    unit: str
    quantity: float
    days: float | None
    process: str | None
    expected: str
    rule: str
    quantity_low: float | None
    quantity_high: float | None
    days_low: float | None
    days_high: float | None
    lowest: str | None
    highest: str | None


class DistributionOut(BaseModel):
    name: str
    p5: float
    p50: float
    p95: float


class Cascade(BaseModel):
    summary: Summary
    affected: list[AffectedOut]
    impacts: list[ImpactOut]
    distributions: list[DistributionOut]


def cascade_answer(report: CascadeReport) -> Cascade:
    return Cascade(
        summary=Summary.model_validate(report.summary()),
        affected=[AffectedOut.model_validate(a.row()) for a in report.affected],
        impacts=[ImpactOut.model_validate(i.row()) for i in report.impacts],
        distributions=[
            DistributionOut(name=d.name, p5=d.p5, p50=d.p50, p95=d.p95)
            for d in report.distributions
        ],
    )


class RankedOut(BaseModel):
    rank: int
    process: str
    name: str
    sector: str
    region: str | None
    taken_down: int = Field(description="other processes its own outage takes down")
    people_hours: float = Field(description="its own outage included")
    cost: float


class Ranking(BaseModel):
    hours: float
    by: By
    min_strength: float
    ranked: list[RankedOut]


def ranking_answer(
    ranked: Sequence[Ranked], *, hours: float, by: By, min_strength: float
) -> Ranking:
    return Ranking(
        hours=hours,
        by=by,
        min_strength=min_strength,
        ranked=[RankedOut.model_validate(r.row()) for r in ranked],
    )
