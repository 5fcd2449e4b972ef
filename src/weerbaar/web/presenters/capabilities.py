"""The capability analysis as it is handed out: the model of the API's
``/capability-gaps`` and of ``weerbaar gaps --format json``."""

from __future__ import annotations

from pydantic import BaseModel, Field

from weerbaar.domain.enums import Phase
from weerbaar.services.capability_analysis import CapabilityAnalysis


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


def gaps_answer(analysis: CapabilityAnalysis, *, only_gaps: bool = False) -> CapabilityGaps:
    """Every need of the analysis with its gap; only those that fall short with
    ``only_gaps``."""
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
