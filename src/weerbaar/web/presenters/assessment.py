"""A round's assessment as it is handed out: the model of the API's ``/assessment``
and of ``weerbaar assess --format json``."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, Field

from weerbaar.domain.enums import ScenarioKind
from weerbaar.method.classes import describe_position
from weerbaar.services.assessment import RoundAssessment, ScenarioResult


class AssessedScenario(BaseModel):
    rank: int = Field(description="by risk; 1 = highest")
    scenario: str
    title: str
    theme: str
    kind: ScenarioKind
    impact: float = Field(description="aggregated impact (weighted sum of class values)")
    impact_class: str
    impact_position: float | None
    likelihood: str
    likelihood_range: str
    impact_rank: int
    medal_rank: int
    criteria: dict[str, str] = Field(description="expected class per criterion code")
    ranks_by_profile: dict[str, int] = Field(description="risk rank under each weight set")
    impact_p5: float | None = Field(None, description="Monte Carlo bands, with draws > 0")
    impact_p50: float | None = None
    impact_p95: float | None = None
    likelihood_p5: float | None = None
    likelihood_p50: float | None = None
    likelihood_p95: float | None = None
    top5: float | None = Field(None, description="probability of being in the top 5")
    top10: float | None = None
    mean_rank: float | None = None


class Assessment(BaseModel):
    round: str
    edition: str
    scales: str
    official_thresholds: bool
    weights: dict[str, float]
    draws: int
    seed: int | None = Field(description="pass it back to repeat the run exactly")
    results: list[AssessedScenario]
    incomplete: list[str] = Field(description="scenarios missing impact or likelihood scores")
    unscored: list[str]


def _row(r: ScenarioResult, ranks: dict[str, int]) -> AssessedScenario:
    band = r.band
    return AssessedScenario(
        rank=r.rank,
        scenario=r.scenario.key,
        title=r.scenario.title,
        theme=r.scenario.theme,
        kind=r.scenario.kind,
        impact=round(r.impact, 6),
        impact_class=describe_position(r.impact_position),
        impact_position=None if r.impact_position is None else round(r.impact_position, 4),
        likelihood=str(r.likelihood.expected),
        likelihood_range=f"{r.likelihood.lowest}–{r.likelihood.highest}",
        impact_rank=r.impact_rank,
        medal_rank=r.medal_rank,
        criteria={c.code: str(c.resolved.expected) for c in r.criteria},
        ranks_by_profile=ranks,
        impact_p5=None if band is None else round(band.impact[0], 6),
        impact_p50=None if band is None else round(band.impact[1], 6),
        impact_p95=None if band is None else round(band.impact[2], 6),
        likelihood_p5=None if band is None else band.likelihood[0],
        likelihood_p50=None if band is None else band.likelihood[1],
        likelihood_p95=None if band is None else band.likelihood[2],
        top5=None if band is None else round(band.top5, 4),
        top10=None if band is None else round(band.top10, 4),
        mean_rank=None if band is None else round(band.mean_rank, 2),
    )


def assessment_answer(
    result: RoundAssessment, by_profile: Mapping[str, dict[str, int]]
) -> Assessment:
    """The round's results, each with its rank under every weight set."""
    return Assessment(
        round=result.round.key,
        edition=result.edition.key,
        scales=result.scales.key,
        official_thresholds=result.scales.official,
        weights=dict(result.weights.weights),
        draws=result.draws,
        seed=result.seed,
        results=[_row(r, by_profile.get(r.scenario.key, {})) for r in result.results],
        incomplete=list(result.incomplete),
        unscored=list(result.unscored),
    )
