"""``/assessment``: a round's results, as ``weerbaar assess --format json`` gives them,
computed from what the caller may see."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from weerbaar.compute.rng import SEED_BITS
from weerbaar.domain.enums import ScenarioKind
from weerbaar.method.classes import describe_position
from weerbaar.reference.method import profiles
from weerbaar.services.assessment import ScenarioResult, assess_round, ranks_by_profile
from weerbaar.web.api.callers import reader
from weerbaar.web.api.problems import error_responses
from weerbaar.web.auth import Caller, database
from weerbaar.web.limits import Key

# Enough for stable P5–P95 bands of a national profile, and a bound on the work one
# request may ask for.
MAX_DRAWS = 100_000

WeightSetName = StrEnum("WeightSetName", {name: name for name in profiles()})  # type: ignore[misc]
DEFAULT_WEIGHTS = WeightSetName("equal")

router = APIRouter(tags=["assessment"])


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


@router.get(
    "/assessment",
    summary="Assess a round",
    description="Ranks, aggregated impact and likelihood of every scenario scored in the "
    "round that the caller may see; scenarios and scores they may not see take no part.",
    responses=error_responses(401, 404, 422),
)
def assessment(
    request: Request,
    caller: Annotated[Caller, Depends(reader)],
    round_key: Annotated[
        Key | None, Query(alias="round", description="default: the newest")
    ] = None,
    weights: Annotated[WeightSetName, Query(description="weight set")] = DEFAULT_WEIGHTS,
    draws: Annotated[
        int, Query(ge=0, le=MAX_DRAWS, description="Monte Carlo draws (0: no bands)")
    ] = 0,
    seed: Annotated[
        int | None, Query(ge=0, lt=2**SEED_BITS, description="seed of the draws")
    ] = None,
) -> Assessment:
    db = database(request)
    subject = caller.subject
    result = assess_round(
        db, round_key=round_key, weights=weights.value, draws=draws, seed=seed, subject=subject
    )
    by_profile = ranks_by_profile(db, round_key=result.round.key, subject=subject)
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
