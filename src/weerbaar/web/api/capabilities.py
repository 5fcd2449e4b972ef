"""``/capability-gaps``: the capability analysis of scenarios — per link of the
security chain, the level needed, the level that exists, the gap and the measures
closing it — as far as the caller may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from weerbaar.services.capability_analysis import capability_analysis
from weerbaar.web.api.callers import reader
from weerbaar.web.api.problems import error_responses
from weerbaar.web.auth import Caller, database
from weerbaar.web.limits import Key
from weerbaar.web.presenters.capabilities import CapabilityGaps, gaps_answer

router = APIRouter(tags=["capabilities"])


@router.get(
    "/capability-gaps",
    summary="Capability analysis",
    description="Every recorded capability need of the scenarios the caller may see, with "
    "its gap and the measures closing it; filter by scenario or theme.",
    responses=error_responses(401, 404, 422),
)
def capability_gaps(
    request: Request,
    caller: Annotated[Caller, Depends(reader)],
    scenario: Key | None = None,
    theme: Key | None = None,
    only_gaps: Annotated[bool, Query(description="leave out needs that are met")] = False,
) -> CapabilityGaps:
    analysis = capability_analysis(
        database(request), scenario=scenario, theme=theme, subject=caller.subject
    )
    return gaps_answer(analysis, only_gaps=only_gaps)
