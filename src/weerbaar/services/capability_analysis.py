"""The capability analysis of scenarios, as far as the reader may see: per scenario
the capabilities each link of the security chain needs, how well they exist, the gaps,
and the measures that close them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from weerbaar.domain.access import Subject
from weerbaar.domain.capabilities import CapabilityScale, Gap, GapSummary, analyse, summarise
from weerbaar.domain.entities.strategy import Capability, Measure, Scenario
from weerbaar.errors import NotFoundError
from weerbaar.reference.capabilities import capability_scale
from weerbaar.services.visibility import visibility
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository


@dataclass(frozen=True, slots=True)
class CapabilityAnalysis:
    scale: CapabilityScale
    scenarios: dict[str, Scenario]
    capabilities: dict[str, Capability]
    measures: dict[str, Measure]
    gaps: tuple[Gap, ...]

    def of(self, scenario: str) -> tuple[Gap, ...]:
        return tuple(g for g in self.gaps if g.scenario == scenario)

    def summary(self, scenario: str | None = None) -> GapSummary:
        return summarise(self.gaps if scenario is None else self.of(scenario))


def capability_analysis(
    db: Database,
    *,
    scenario: str | None = None,
    theme: str | None = None,
    subject: Subject | None = None,
) -> CapabilityAnalysis:
    with db.transaction() as connection:
        repo = Repository(connection)
        seen = visibility(connection, subject)

        def visible(name: str, **where: Any) -> list[Any]:
            return seen.filter(name, repo.fetch(name, where=where or None))

        if scenario:
            seen.require("scenarios", scenario)
        if theme:
            seen.require("themes", theme)
        scenarios = {
            s.key: s
            for s in visible("scenarios")
            if (scenario is None or s.key == scenario) and (theme is None or s.theme == theme)
        }
        needs = [n for n in visible("capability_needs") if n.scenario in scenarios]
        capabilities: dict[str, Capability] = {c.key: c for c in visible("capabilities")}
        measures: dict[str, Measure] = {m.key: m for m in visible("measures")}
    if scenario and scenario not in scenarios:
        raise NotFoundError("scenario", scenario)
    scale = capability_scale()
    return CapabilityAnalysis(
        scale=scale,
        scenarios=scenarios,
        capabilities=capabilities,
        measures=measures,
        gaps=analyse(needs, capabilities, measures.values(), scale),
    )


def gap_rows(analysis: CapabilityAnalysis, gaps: Sequence[Gap]) -> list[dict[str, Any]]:
    """Plain rows for tables and JSON."""
    return [
        {
            "scenario": g.scenario,
            "phase": str(g.phase),
            "capability": g.capability,
            "capability_name": analysis.capabilities[g.capability].name,
            "needed": g.needed,
            "current": g.current,
            "shortfall": g.shortfall,
            "closed_by": list(g.closed_by),
            "open": g.open,
        }
        for g in gaps
    ]
