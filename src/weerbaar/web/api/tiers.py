"""``/tiers``: the tier each theme's evidence proposes by the cycle's rules, beside its
current tier and decision; ``POST /tiers/decisions`` records a decision with the
proposal it was taken against."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from weerbaar.domain.enums import Tier
from weerbaar.services.tier_decisions import decide_tier
from weerbaar.services.tier_proposals import (
    DRAWS,
    MAX_DRAWS,
    SEED,
    proposal_history,
    propose_tiers,
)
from weerbaar.web.api.callers import reader, writer
from weerbaar.web.api.preconditions import etag
from weerbaar.web.api.problems import error_responses
from weerbaar.web.auth import Caller, database
from weerbaar.web.context import context_of
from weerbaar.web.limits import MAX_SEED, Key
from weerbaar.web.presenters.tiers import TierProposals, tiers_answer

router = APIRouter(tags=["tiers"])


@router.get(
    "/tiers",
    summary="Tier proposals per theme",
    description="The tier the evidence the caller may see proposes for each theme, by the "
    "cycle's rules (or the default set), weighed over Monte Carlo draws of the risk: the "
    "median tier, the share of draws per tier, every reason, the smallest changes of the "
    "evidence that would flip it, beside the current tier and the cycle's decision. The "
    "same draws and seed give the same answer.",
    responses=error_responses(401, 404, 422),
)
def tiers(
    request: Request,
    caller: Annotated[Caller, Depends(reader)],
    cycle: Annotated[Key | None, Query(description="default: the newest")] = None,
    draws: Annotated[
        int, Query(ge=1, le=MAX_DRAWS, description="Monte Carlo draws of the risk")
    ] = DRAWS,
    seed: Annotated[int, Query(ge=0, le=MAX_SEED, description="seed of the draws")] = SEED,
    history: Annotated[
        bool, Query(description="add each theme's proposal on every round up to the newest")
    ] = False,
) -> TierProposals:
    db, subject = database(request), caller.subject
    report = propose_tiers(db, cycle=cycle, subject=subject, draws=draws, seed=seed)
    rounds = proposal_history(db, report, subject=subject) if history else None
    return tiers_answer(report, rounds)


class NewDecision(BaseModel):
    theme: Key
    tier: Tier
    rationale: str = Field(min_length=1, max_length=20_000)
    decided_by: str = Field(min_length=1, max_length=200)
    cycle: Key | None = None
    lead: Key | None = None
    involved: list[Key] = Field(default_factory=list, max_length=100)
    deviation: str | None = Field(None, max_length=20_000)
    decided_on: dt.date | None = None


class RecordedDecision(BaseModel):
    key: str
    theme: str
    tier: Tier
    proposed_tier: Tier | None
    proposal_rule: str | None
    against_proposal: bool
    version: int


@router.post(
    "/tiers/decisions",
    summary="Record a tier decision",
    description="Stored with the proposal the rules give now; a decision that differs from "
    "it must carry a deviation reason (422 otherwise).",
    status_code=201,
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def record_decision(
    request: Request,
    response: Response,
    body: NewDecision,
    caller: Annotated[Caller, Depends(writer)],
) -> RecordedDecision:
    saved = decide_tier(
        context_of(request, caller),
        theme=body.theme,
        tier=body.tier,
        rationale=body.rationale,
        decided_by=body.decided_by,
        cycle=body.cycle,
        lead=body.lead,
        involved=body.involved,
        deviation=body.deviation,
        decided_on=body.decided_on,
    )
    d = saved.record
    response.headers["Location"] = f"/api/v1/decisions/{d.key}"
    response.headers["ETag"] = etag(saved.version)
    return RecordedDecision(
        key=d.key,
        theme=d.theme,
        tier=d.tier,
        proposed_tier=d.proposed_tier,
        proposal_rule=d.proposal_rule,
        against_proposal=d.proposed_tier is not None and d.proposed_tier is not d.tier,
        version=saved.version,
    )
