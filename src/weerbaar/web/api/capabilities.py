"""``/capability-gaps``: the capability analysis of scenarios — per link of the
security chain, the level needed, the level that exists, the gap and the measures
closing it — as far as the caller may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from weerbaar.domain.enums import Phase
from weerbaar.services.capability_analysis import capability_analysis
from weerbaar.web.api.callers import reader
from weerbaar.web.api.problems import error_responses
from weerbaar.web.auth import Caller, database
from weerbaar.web.limits import Key

router = APIRouter(tags=["capabilities"])


class CapabilityGap(BaseModel):
    scenario: str
    phase: Phase
    capability: str
    capability_name: str
    needed: str
    current: str
    shortfall: int = Field(description="steps of the scale by which current falls short")
    closed_by: list[str] = Field(description="measures building it for this scenario")
    open: bool = Field(description="short, and no measure closes it")


class CapabilityGaps(BaseModel):
    scale: list[str] = Field(description="the capability scale, lowest first")
    needs: int
    short: int
    open: int
    largest: int
    gaps: list[CapabilityGap]


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
    summary = analysis.summary()
    return CapabilityGaps(
        scale=list(analysis.scale.keys),
        needs=summary.needs,
        short=summary.short,
        open=summary.open,
        largest=summary.largest,
        gaps=[
            CapabilityGap(
                scenario=g.scenario,
                phase=g.phase,
                capability=g.capability,
                capability_name=analysis.capabilities[g.capability].name,
                needed=g.needed,
                current=g.current,
                shortfall=g.shortfall,
                closed_by=list(g.closed_by),
                open=g.open,
            )
            for g in analysis.gaps
            if g.shortfall or not only_gaps
        ],
    )
