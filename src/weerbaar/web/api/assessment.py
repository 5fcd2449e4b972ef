"""``/assessment``: a round's results, as ``weerbaar assess --format json`` gives them,
computed from what the caller may see."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from weerbaar.compute.rng import SEED_BITS
from weerbaar.reference.method import profiles
from weerbaar.services.assessment import assess_round, ranks_by_profile
from weerbaar.web.api.callers import reader
from weerbaar.web.api.problems import error_responses
from weerbaar.web.auth import Caller, database
from weerbaar.web.limits import Key
from weerbaar.web.presenters.assessment import Assessment, assessment_answer

# Enough for stable P5–P95 bands of a national profile, and a bound on the work one
# request may ask for.
MAX_DRAWS = 100_000

WeightSetName = StrEnum("WeightSetName", {name: name for name in profiles()})  # type: ignore[misc]
DEFAULT_WEIGHTS = WeightSetName("equal")

router = APIRouter(tags=["assessment"])


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
    pooled: Annotated[
        bool,
        Query(description="draw what expert sessions concluded from the experts' pooled ranges"),
    ] = False,
) -> Assessment:
    db = database(request)
    subject = caller.subject
    result = assess_round(
        db,
        round_key=round_key,
        weights=weights.value,
        draws=draws,
        seed=seed,
        subject=subject,
        pooled=pooled,
    )
    by_profile = ranks_by_profile(db, round_key=result.round.key, subject=subject)
    return assessment_answer(result, by_profile)
